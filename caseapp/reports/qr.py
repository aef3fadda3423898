"""QR codes drawn into report HTML as inline SVG (the report fetcher loads no image,
not even a data: URI, so the code is part of the document itself)."""
import segno
from markupsafe import Markup

# Level M survives a crease or a smudge on a receipt kept in a wallet; segno raises it
# further where the version has room to spare.
ERROR_LEVEL = "m"


def qr_svg(text: str) -> Markup:
    """``text`` as a QR code, black on white with its quiet zone, sized by the CSS
    of the template (a viewBox, no width or height)."""
    code = segno.make(text, error=ERROR_LEVEL, micro=False)
    return Markup(code.svg_inline(scale=1, dark="#000", light="#fff", omitsize=True,
                                  svgclass="qr"))
