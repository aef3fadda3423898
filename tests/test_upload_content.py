"""Uploaded documents are checked for what they contain, not only how they begin:
PDFs parsed and refused with active content, images decoded in full under a pixel
limit and ending where the picture ends, nothing that looks like a web page."""
import io
import os
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import func, select

from models import Document
from reports.pdf import render_pdf
from tests.factories import DOCUMENT_DIR, make_application, png_bytes
from tests.helpers import csrf_token, login
from workflows.document_content import MAX_IMAGE_PIXELS, sniff
from workflows.errors import InvalidInput


def pdf_bytes(change=None, *, password: str | None = None) -> bytes:
    """A real one-page PDF; ``change(writer)`` adds to it before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change is not None:
        change(writer)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="pemilik", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{k}"): TextStringObject(v) for k, v in entries.items()})
    return action


def _open_action(value):
    return lambda writer: writer._root_object.__setitem__(NameObject("/OpenAction"), value)


def _page_aa(writer):
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/JavaScript", JS="app.alert(1)")})


def _document_js(writer):
    """A document-level script, as in the /Names /JavaScript name tree."""
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([
        TextStringObject("mula"), _action("/JavaScript", JS="app.alert(1)")])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)})


def _xfa(writer):
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")})


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int, height: int, *, complete: bool) -> bytes:
    """A PNG header claiming ``width`` x ``height`` over a few real rows: a small file
    that would expand to gigabytes."""
    rows = zlib.compress(b"\x00" + b"\x00" * width * 3)
    data = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + _chunk(b"IDAT", rows))
    return data + _chunk(b"IEND", b"") if complete else data


def jpeg_bytes(size=(64, 48), **options) -> bytes:
    """A JPEG of noise (its entropy-coded data holds stuffed 0xFF bytes)."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def _refused(data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        sniff(data)
    return str(refused.value.message)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + os.urandom(4000) + b"\n%%EOF\n",
    b"%PDF-1.4\n%%EOF\n",
    pdf_bytes()[:-400] + b"\n%%EOF\n",
], ids=["random-bytes", "header-and-eof-only", "cut-short"])
def test_a_pdf_that_does_not_parse_is_refused(data):
    assert "PDF" in _refused(data)


@pytest.mark.parametrize("change", [
    _open_action(_action("/JavaScript", JS="app.alert(1)")),
    _open_action(_action("/Launch", F="cmd.exe")),
    _document_js,
    lambda writer: writer.add_attachment("tagihan.exe", b"MZ\x90\x00"),
    _page_aa,
    _xfa,
    lambda writer: writer.add_annotation(0, DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/A"): _action("/SubmitForm", F="http://example.org/")})),
], ids=["openaction-js", "openaction-launch", "document-js", "embedded-file", "page-aa",
        "xfa", "link-submitform"])
def test_a_pdf_with_active_content_is_refused(change):
    assert "PDF" in _refused(pdf_bytes(change))


def test_a_pdf_html_polyglot_is_refused():
    real = pdf_bytes()
    polyglot = real[:9] + b"%<html><body><script>alert(document.cookie)</script>\n" + real[9:]
    assert "HTML" in _refused(polyglot)


def test_a_password_protected_pdf_is_refused_and_a_permissions_only_one_taken():
    assert "PDF" in _refused(pdf_bytes(password="rahasia"))
    assert sniff(pdf_bytes(password="")) == ("application/pdf", ".pdf")


def test_ordinary_pdfs_are_accepted():
    go_to_first_page = _open_action(ArrayObject([NumberObject(0), NameObject("/Fit")]))
    for data in (pdf_bytes(), pdf_bytes(go_to_first_page)):
        assert sniff(data) == ("application/pdf", ".pdf")
    scan = render_pdf('<p>KTP <a href="https://example.org">tautan</a></p>')
    assert sniff(scan) == ("application/pdf", ".pdf")


@pytest.mark.parametrize("data", [
    png_bytes() + b"<html><script>alert(1)</script></html>",
    png_bytes() + b"MZ\x90\x00",
    jpeg_bytes() + b"<script>alert(1)</script>",
], ids=["png-then-html", "png-then-program", "jpeg-then-script"])
def test_data_after_the_end_of_an_image_is_refused(data):
    _refused(data)


def test_truncated_and_oversized_images_are_refused():
    assert str(MAX_IMAGE_PIXELS // 1_000_000) in _refused(huge_png(10_000, 10_000,
                                                                   complete=False))
    assert str(MAX_IMAGE_PIXELS // 1_000_000) in _refused(huge_png(20_000, 20_000,
                                                                   complete=True))
    whole = png_bytes((300, 200))
    _refused(whole[:len(whole) // 2])
    photo = jpeg_bytes((300, 200))
    _refused(photo[:len(photo) // 2])


def test_html_in_the_first_kilobytes_is_refused_whatever_the_type():
    image = Image.new("RGB", (8, 8))
    buffer = io.BytesIO()
    info = PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    image.save(buffer, format="PNG", pnginfo=info)
    assert "HTML" in _refused(buffer.getvalue())


def test_a_heic_photo_is_refused_saying_what_it_is():
    """Phones may save HEIC, which nothing here decodes: the officer is told to switch
    the camera to JPEG, not that the file is of no known kind."""
    def iso_media(brand: bytes) -> bytes:
        return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1" + os.urandom(2000)

    for brand in (b"heic", b"mif1"):
        assert "HEIC" in _refused(iso_media(brand))
    assert "HEIC" not in _refused(iso_media(b"isom"))  # a video is just not a document


def test_real_photos_are_accepted_with_a_second_picture_behind_them():
    for data in (jpeg_bytes(), jpeg_bytes((640, 480), progressive=True),
                 jpeg_bytes((640, 480), restart_marker_blocks=4)):
        assert sniff(data) == ("image/jpeg", ".jpg")
    # Phones keep an HDR gain map or depth map as a second JPEG after the first one.
    assert sniff(jpeg_bytes((640, 480)) + jpeg_bytes((160, 120))) == ("image/jpeg", ".jpg")
    assert sniff(png_bytes((1200, 900))) == ("image/png", ".png")


def test_a_decompression_bomb_upload_is_a_clear_422_and_stores_nothing(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    page = f"/cases/{application.id}"
    before = set(DOCUMENT_DIR.iterdir()) if DOCUMENT_DIR.exists() else set()
    for data in (huge_png(20_000, 20_000, complete=True), b"%PDF-1.7\n" + os.urandom(500)
                 + b"\n%%EOF\n"):
        response = client.post(f"{page}/documents", data={
            "csrf_token": csrf_token(client, page), "file-kk": (io.BytesIO(png_bytes()), "kk.png"),
            "file-ktp": (io.BytesIO(data), "ktp.png")}, content_type="multipart/form-data")
        assert response.status_code == 422, response.status_code
    assert session.scalar(select(func.count(Document.id)).where(
        Document.application_id == application.id)) == 0
    assert (set(DOCUMENT_DIR.iterdir()) if DOCUMENT_DIR.exists() else set()) == before
