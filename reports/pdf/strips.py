"""Planning long lists page by page, for a layout WeasyPrint renders fast.

A list is drawn as "strips": per page segment, each column is one block of
pre-wrapped lines (``white-space: pre``) and rows line up because every line has
the same height. That is a handful of boxes per page instead of one per cell, and
no table layout (which WeasyPrint redoes at every page break). Because the
wrapping is done here with the font's own metrics, the number of lines of every
row, and so the content of every page, is known before rendering: the page count
is exact, a long list can be rendered in independent chunks, and "page X of Y"
needs no second pass.
"""
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from reports.pdf.textfit import wrap

LINE = 10.0        # pt, height of one line of list text
FONT_SIZE = 7.5    # pt
PAD = 2.5          # pt, left and right padding inside a column
TITLE_LINES = 2    # a segment's caption
HEADER_LINES = 2   # column headings, wrapped to at most two lines
MAX_CELL_LINES = 12  # a pathological value cannot push a row past a page
CARRIED_ROWS = 3     # rows that go with the signature when it needs a new page


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: float          # pt
    align: str = "left"   # "left" or "right"

    def fit(self, value) -> list[str]:
        lines = wrap("" if value is None else str(value), self.width - 2 * PAD, FONT_SIZE)
        if len(lines) > MAX_CELL_LINES:
            lines = lines[:MAX_CELL_LINES - 1] + [lines[MAX_CELL_LINES - 1] + " …"]
        return lines

    @property
    def heading(self) -> str:
        lines = wrap(self.label, self.width - 2 * PAD, FONT_SIZE, bold=True)
        return "\n".join(lines[:HEADER_LINES])


@dataclass(frozen=True)
class Section:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]       # values in column order
    empty_text: str = "-"


@dataclass
class Segment:
    title: str
    columns: Sequence[Column]
    continued: bool
    cells: list[list[list[str]]] = field(default_factory=list)  # row -> column -> lines
    heights: list[int] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(self.heights)

    @property
    def body_height(self) -> float:
        return self.lines * LINE

    def column_text(self, index: int) -> str:
        out = []
        for row, height in zip(self.cells, self.heights):
            lines = row[index]
            out.extend(lines + [""] * (height - len(lines)))
        return "\n".join(out)

    @property
    def rules(self) -> list[float]:
        """y of the line under each row but the last (pt from the top of the body)."""
        ys, y = [], 0
        for height in self.heights[:-1]:
            y += height
            ys.append(y * LINE)
        return ys


@dataclass
class Page:
    number: int
    budget: int
    segments: list[Segment] = field(default_factory=list)
    used: int = 0
    trailer: bool = False

    @property
    def remaining(self) -> int:
        return self.budget - self.used


def plan_pages(sections: Iterable[Section], *, lines_per_page: int, first_page_lines: int,
               trailer_lines: int = 0, first_number: int = 1) -> list[Page]:
    """Distribute the sections' rows over pages of ``lines_per_page`` lines (the
    first page has ``first_page_lines`` after its cover); a section's caption and
    headings repeat on every page it continues on; ``trailer_lines`` (signature
    block) are kept free on the last page, on a page of their own if need be."""
    opening = TITLE_LINES + HEADER_LINES
    pages = [Page(first_number, first_page_lines)]

    def new_page() -> Page:
        pages.append(Page(pages[-1].number + 1, lines_per_page))
        return pages[-1]

    for section in sections:
        segment = None
        started = False
        for values in section.rows:
            cells = [column.fit(value) for column, value in zip(section.columns, values)]
            height = max(len(lines) for lines in cells)
            page = pages[-1]
            if page.remaining < height + (0 if segment else opening):
                page, segment = new_page(), None
            if segment is None:
                segment = Segment(section.title, section.columns, continued=started)
                page.segments.append(segment)
                page.used += opening
            segment.cells.append(cells)
            segment.heights.append(height)
            page.used += height
            started = True
        if not started:  # an empty list still shows its caption and "none"
            page = pages[-1] if pages[-1].remaining >= opening + 1 else new_page()
            segment = Segment(section.title, section.columns, continued=False)
            widest = max(range(len(section.columns)), key=lambda i: section.columns[i].width)
            segment.cells.append([[section.empty_text if i == widest else ""]
                                  for i in range(len(section.columns))])
            segment.heights.append(1)
            page.segments.append(segment)
            page.used += opening + 1
    page = pages[-1]
    if page.remaining < trailer_lines:
        page = _carry_over(page, new_page(), opening)
    page.trailer = True
    page.used += trailer_lines
    return pages


def _carry_over(last: Page, fresh: Page, opening: int, rows: int = CARRIED_ROWS) -> Page:
    """Move the last rows onto the trailer's page, so a signature never stands on a
    page of its own, detached from the list it signs."""
    segment = last.segments[-1]
    if len(segment.heights) <= rows and len(last.segments) == 1:
        return fresh  # moving it would leave an empty page behind
    if len(segment.heights) <= rows:  # a short segment moves whole, caption and all
        last.segments.pop()
        last.used -= opening + segment.lines
        fresh.segments.append(segment)
        fresh.used += opening + segment.lines
        return fresh
    moved = Segment(segment.title, segment.columns, continued=True,
                    cells=segment.cells[-rows:], heights=segment.heights[-rows:])
    del segment.cells[-rows:], segment.heights[-rows:]
    last.used -= moved.lines
    fresh.segments.append(moved)
    fresh.used += opening + moved.lines
    return fresh


def chunk_pages(pages: list[Page], pages_per_chunk: int) -> list[list[Page]]:
    return [pages[i:i + pages_per_chunk] for i in range(0, len(pages), pages_per_chunk)]
