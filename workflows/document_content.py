"""What an uploaded document really is, checked before anything is stored.

A file is taken for its content, never its name: it must be a PDF, JPEG or PNG and
be nothing else at the same time. PDFs are parsed for real (pypdf) and refused when
they carry anything that acts on its own in a reader (scripts, actions run on
opening, launched programs, embedded files, XFA forms). Images are decoded in full
under a pixel limit (a small file can expand to gigabytes) and must end where the
image ends: a PNG at its IEND chunk, a JPEG at its end-of-image marker, so no HTML
or program rides behind the picture. Whatever the type, a file whose first
kilobytes look like a web page is refused, so no browser could ever take it for one.
"""
import io
import re

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l

# A 48-megapixel phone photo fits; 10,000 x 10,000 (and Pillow's own bomb limits) does not.
MAX_IMAGE_PIXELS = 50_000_000
HTML_SCAN_BYTES = 8192
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|"
                   rb"meta|form)[\s/>]", re.IGNORECASE)
_PDF = (b"%PDF-", "application/pdf", ".pdf")
_JPEG = (b"\xff\xd8\xff", "image/jpeg", ".jpg")
_PNG = (b"\x89PNG\r\n\x1a\n", "image/png", ".png")
# Phones' HEIC/HEIF photos (an ISO media file whose ftyp box names one of these brands):
# not accepted, since nothing here decodes them, but named, so the officer knows what to do.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
                b"mif1", b"msf1"}
# Keys whose mere presence means something runs or is carried inside the PDF.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF",
                "/XFA", "/RichMedia"}
# Action types (/S) that run code, start programs, send data or open other files.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR",
                   "/GoToE", "/RichMediaExecute"}

DAMAGED_PDF = _l("The PDF file is damaged or incomplete.")
DAMAGED_IMAGE = _l("The image file is damaged or not really an image.")


def sniff(data: bytes) -> tuple[str, str]:
    """The content type and extension of ``data``, or InvalidInput saying why not."""
    if _HTML.search(data[:HTML_SCAN_BYTES]):
        raise InvalidInput(_l("The file contains web page code (HTML); only scans and "
                              "PDF documents are accepted."))
    if data.startswith(_PDF[0]):
        _check_pdf(data)
        return _PDF[1:]
    if data.startswith(_JPEG[0]):
        _check_jpeg(data)
        return _JPEG[1:]
    if data.startswith(_PNG[0]):
        _check_image(data, "PNG")
        end = _png_end(data)
        if end is None:
            raise InvalidInput(DAMAGED_IMAGE)
        if end < len(data):
            raise _trailing_data()
        return _PNG[1:]
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise InvalidInput(_l("HEIC photos (the high-efficiency format of iPhones and some "
                              "Android phones) are not accepted. Set the camera to JPEG "
                              "('Most compatible') or send the photo as JPEG, then upload "
                              "it again."))
    raise InvalidInput(_l("Only PDF, JPEG or PNG files are accepted; this file is none of "
                          "them (whatever its name says)."))


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise InvalidInput(DAMAGED_PDF)
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        active = False if locked else _has_active_content(reader)
        pages = 0 if locked else len(reader.pages)
    except Exception:  # noqa: BLE001 - hostile input makes pypdf raise almost anything
        raise InvalidInput(DAMAGED_PDF)
    if locked:
        raise InvalidInput(_l("PDF files protected by a password are not accepted; upload "
                              "the document without a password."))
    if active:
        raise InvalidInput(_l("The PDF file contains scripts, automatic actions or attached "
                              "files, which are not accepted. Print it to a new PDF or scan "
                              "the paper document and upload that."))
    if pages < 1:
        raise InvalidInput(DAMAGED_PDF)


def _has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (what a reader can reach)."""
    seen, stack = set(), [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too, without decoding them
            for key, value in item.items():
                if key in _ACTIVE_KEYS or (key == "/S" and value in _ACTIVE_ACTIONS):
                    return True
                # An OpenAction array only says which page to show first; a dictionary
                # is an action the reader runs on opening.
                if key == "/OpenAction" and isinstance(value.get_object(), DictionaryObject):
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _check_image(data: bytes, image_format: str) -> None:
    """Decode every pixel (a truncated or corrupt image fails here), within the limit."""
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            image.load()
    except Image.DecompressionBombError:  # beyond Pillow's own limit, before ours
        raise _too_many_pixels()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput(DAMAGED_IMAGE)


def _check_jpeg(data: bytes) -> None:
    """The image, then only further whole JPEG images after its end: phones store an
    HDR gain map or a depth map that way (multi-picture format); anything else is refused."""
    start = 0
    while start < len(data):
        end = _jpeg_end(data, start)
        if end is None:
            raise InvalidInput(DAMAGED_IMAGE)
        _check_image(data[start:end], "JPEG")
        if end < len(data) and not data.startswith(_JPEG[0], end):
            raise _trailing_data()
        start = end


def _png_end(data: bytes) -> int | None:
    """The offset just after the IEND chunk, or None if the chunks never reach one."""
    position = len(_PNG[0])
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position if position <= len(data) else None
    return None


def _jpeg_end(data: bytes, start: int) -> int | None:
    """The offset just after the end-of-image marker of the JPEG at ``start``: marker
    segments are skipped by their length (an EXIF thumbnail's own end marker is inside
    one), entropy-coded data up to the next marker that is not a stuffed 0xFF00 or a
    restart marker."""
    position, size = start + 2, len(data)
    while position < size:
        if data[position] != 0xFF:
            return None
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            return None
        marker = data[position]
        position += 1
        if marker == 0xD9:
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        position += int.from_bytes(data[position:position + 2], "big")
        if marker == 0xDA:
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following != 0x00 and not 0xD0 <= following <= 0xD7:
                    break
                position += 2
    return None


def _too_many_pixels() -> InvalidInput:
    return InvalidInput(_l("The image is too large: at most %(mp)d megapixels. Scan or "
                           "photograph the document at a lower resolution.",
                           mp=MAX_IMAGE_PIXELS // 1_000_000))


def _trailing_data() -> InvalidInput:
    return InvalidInput(_l("The image file carries other data after the picture. Save it "
                           "again (or scan or photograph the document again) and upload "
                           "that file."))
