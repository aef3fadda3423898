"""PDF rendering for reports: WeasyPrint with a local-only URL fetcher and local
fonts, single documents or planned chunks joined with pypdf."""
from reports.pdf.css import css_string, page_counter_content
from reports.pdf.fetcher import LocalOnlyFetcher, RefusedURL, font_faces_css
from reports.pdf.render import LayoutDrift, default_workers, page_count, render_chunks, render_pdf

__all__ = ["LayoutDrift", "LocalOnlyFetcher", "RefusedURL", "css_string", "default_workers",
           "font_faces_css", "page_count", "page_counter_content", "render_chunks", "render_pdf"]
