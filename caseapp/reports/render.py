"""Templates to PDF: the page frame every report shares (letterhead, running
header, footer with generation time, user and audit chain head, page X of Y),
single documents for the ordinary reports, planned chunks for the decree annex."""
from typing import Callable

from flask import current_app, render_template
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from reports.decree_annex import DecreeAnnex, PAGES_PER_CHUNK, COVER_LINES
from reports.meta import ReportMeta
from reports.pdf import (css_string, default_workers, font_faces_css, page_counter_content,
                         render_chunks, render_pdf)
from reports.pdf import strips


def page_context(meta: ReportMeta, *, size: str = "A4", first_number: int = 1,
                 total: int | None = None, last: bool = True) -> dict:
    when = format_datetime(meta.generated_at, "d MMMM yyyy HH:mm")
    footer = "\n".join([
        _("Generated %(when)s WIB by %(user)s", when=when, user=meta.generated_by),
        _("Audit chain head at generation: seq %(seq)d, hash %(hash)s",
          seq=meta.chain_head.seq, hash=meta.chain_head.hash)])
    return {
        "size": size, "lang": str(get_locale() or "id"), "first_number": first_number,
        "last": last, "font_faces": font_faces_css(),
        "address": current_app.config.get("REPORT_LETTERHEAD_ADDRESS", ""),
        "running_title": css_string(meta.title), "footer": css_string(footer),
        "counter": page_counter_content(_("Page %(page)s of %(pages)s"), total=total),
    }


def pdf_job(template: str, meta: ReportMeta, *, size: str = "A4",
            **context) -> Callable[..., bytes]:
    """Render the HTML now (inside the read transaction), the PDF later (one document:
    no pages to count while it renders)."""
    html = render_template(template, meta=meta, page=page_context(meta, size=size), **context)
    return lambda progress=None: render_pdf(html)


def annex_job(annex: DecreeAnnex, meta: ReportMeta, *, categories: dict, letters: dict,
              workers: int | None = None,
              pages_per_chunk: int = PAGES_PER_CHUNK) -> Callable[..., bytes]:
    """The decree annex as chunks of a few planned pages. The chunks' HTML is made
    now (templates need the app); the returned callable renders them side by side,
    telling its progress callback the pages done as each chunk is back."""
    chunks = annex.chunks(pages_per_chunk)
    htmls = []
    for chunk in chunks:
        page = page_context(meta, size="A4 landscape", first_number=chunk[0].number,
                            total=annex.total_pages, last=chunk is chunks[-1])
        htmls.append(render_template(
            "reports/decree_annex.html", meta=meta, page=page, annex=annex,
            decree=annex.decree, sheets=chunk, categories=categories, letters=letters,
            cover_height=COVER_LINES * strips.LINE,
            strips={"line": strips.LINE, "font_size": strips.FONT_SIZE, "pad": strips.PAD}))
    if workers is None:
        workers = current_app.config.get("REPORT_PDF_WORKERS") or default_workers()
    planned = [len(chunk) for chunk in chunks]
    return lambda progress=None: render_chunks(htmls, planned_pages=planned, workers=workers,
                                               title=meta.title, progress=progress)
