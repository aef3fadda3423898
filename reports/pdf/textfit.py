"""How wide a text is in the report font, measured from the font file itself.

Long lists are laid out as columns of pre-wrapped lines (see render.py), so the
wrapping has to happen here, with the same metrics WeasyPrint will use. The
measure is the sum of the glyphs' advance widths (no kerning, which only makes
text narrower), so a line that fits here fits on the page.
"""
from functools import lru_cache

from fontTools.ttLib import TTFont

from reports.pdf.fetcher import FONT_DIR, FONT_FILES

SAFETY = 1.03  # shaping differences and rounding: keep 3% in hand


@lru_cache(maxsize=4)
def _metrics(file_name: str) -> tuple[dict[int, int], int, int]:
    font = TTFont(FONT_DIR / file_name, lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"].metrics
    widths = {code: hmtx[glyph][0] for code, glyph in cmap.items()}
    return widths, hmtx[".notdef"][0], font["head"].unitsPerEm


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` set at ``size`` points in DejaVu Sans."""
    widths, missing, units = _metrics(FONT_FILES[("DejaVu Sans", "bold" if bold else "normal",
                                                  "normal")])
    return sum(widths.get(ord(ch), missing) for ch in text) * size / units * SAFETY


def _split_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    pieces, current = [], ""
    for ch in word:
        if current and text_width(current + ch, size, bold=bold) > width:
            pieces.append(current)
            current = ""
        current += ch
    return pieces + ([current] if current else [])


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap into lines no wider than ``width`` points (at least one line)."""
    space = text_width(" ", size, bold=bold)
    lines, current, current_width = [], "", 0.0
    for word in " ".join(str(text).split()).split(" "):
        word_width = text_width(word, size, bold=bold)
        if current and current_width + space + word_width <= width:
            current, current_width = f"{current} {word}", current_width + space + word_width
            continue
        if current:
            lines.append(current)
        if word_width <= width:
            current, current_width = word, word_width
        else:
            *full, current = _split_word(word, width, size, bold)
            lines.extend(full)
            current_width = text_width(current, size, bold=bold)
    lines.append(current)
    return lines
