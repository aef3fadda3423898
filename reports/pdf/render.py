"""HTML to PDF with WeasyPrint: one document, or many chunks joined with pypdf.

WeasyPrint's cost grows with every line of text it lays out, and its memory with
the size of the whole document. A long list (a decree annex of 10,000 names) is
therefore planned page by page in Python, rendered as independent chunks of a few
pages (in a small process pool when there are several), and the chunks' pages are
appended into one file. Each chunk knows its first page number and the total, so
"page X of Y" stays right across the joins; the page count of every chunk is
checked against the plan, so a layout that drifted fails loudly instead of
printing wrong numbers.
"""
import gc
import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from reports.pdf.fetcher import LocalOnlyFetcher


class LayoutDrift(RuntimeError):
    """A chunk rendered to a different number of pages than planned."""


def _document(html: str):
    return HTML(string=html, url_fetcher=LocalOnlyFetcher()).render()


def render_pdf(html: str) -> bytes:
    """One self-contained HTML document (CSS embedded, fonts local) to PDF bytes."""
    return _document(html).write_pdf()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _render_chunk(html: str) -> tuple[bytes, int]:
    """Runs in a worker process: nothing but WeasyPrint, no database, no Flask."""
    document = _document(html)
    return document.write_pdf(), len(document.pages)


def _freeze_what_lives_now() -> None:
    """WeasyPrint makes millions of short-lived objects; every full garbage collection
    would also walk everything already alive (imported modules, the page plan). Freezing
    those first makes rendering about a third faster (CPython ``gc.freeze``)."""
    gc.collect()
    gc.freeze()
    # A full collection now, with everything frozen, resets CPython's count of
    # long-lived objects; otherwise the next full collections are put off for long
    # and WeasyPrint's cyclic garbage piles up (measured: 30 s instead of 23 s).
    gc.collect()


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _render_all(htmls: list[str], workers: int):
    """The chunks rendered, in order, each as soon as it is back."""
    if workers <= 1 or len(htmls) < 2:
        _freeze_what_lives_now()
        try:
            for html in htmls:
                yield _render_chunk(html)
        finally:
            gc.unfreeze()
        return
    # forkserver: workers start from a clean process, not a fork of a web worker
    # holding database connections and locks.
    context = multiprocessing.get_context("forkserver")
    # No max_tasks_per_child: on Python 3.11 a pool recycling its workers can hang.
    with ProcessPoolExecutor(max_workers=min(workers, len(htmls)), mp_context=context,
                             initializer=_freeze_what_lives_now) as pool:
        yield from pool.map(_render_chunk, htmls)


def render_chunks(htmls: list[str], *, planned_pages: list[int] | None = None,
                  workers: int = 1, title: str = "",
                  progress: Callable[[int, int], None] | None = None) -> bytes:
    """Render chunk documents (in order) and join their pages into one PDF;
    ``progress`` hears (pages done, planned pages) as the chunks come back."""
    total = sum(planned_pages) if planned_pages is not None else None
    rendered, done = [], 0
    for pdf, pages in _render_all(htmls, workers):
        rendered.append((pdf, pages))
        done += pages
        if progress is not None:
            progress(done, total)
    if planned_pages is not None:
        actual = [pages for _pdf, pages in rendered]
        if actual != planned_pages:
            raise LayoutDrift(f"planned pages per chunk {planned_pages}, rendered {actual}")
    writer = PdfWriter()
    for pdf, _pages in rendered:
        writer.append(PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": title, "/Producer": "WeasyPrint + pypdf",
                         "/Creator": "SIGAP Disnaker Kota Bekasi"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
