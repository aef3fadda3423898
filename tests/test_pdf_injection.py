"""Markup in names, titles and SK numbers prints as text in every official PDF: it can
neither end the page's <style> element (taking the header and page numbers with it)
nor add headings or images of its own."""
from datetime import date

import pytest
from sqlalchemy import select

from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.reports.render import annex_job
from models import User
from reports.decree_annex import CATEGORY_LETTERS, build_annex
from reports.meta import ChainHead, ReportMeta
from reports.pdf import css_string
from tests.factories import make_budget, make_verified
from tests.report_helpers import flat, page_label, pdf_pages, run_report
from tests.test_reports_layout import _synthetic_decree
from workflows.approval import approve_batch

PAYLOAD = "</style><h1>X</h1> <img src=x>"


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines()]


def _shows(page: str, text: str) -> bool:
    """``text`` printed as it is (text extraction loses some spaces, so they do not count)."""
    return "".join(text.split()) in "".join(page.split())


@pytest.mark.parametrize("text", [PAYLOAD, "a</STYLE >b", "<!-- x -->", "&lt;"])
def test_a_css_string_holds_nothing_the_html_parser_reads(text):
    quoted = css_string(text)
    assert not set("<>&") & set(quoted)
    assert quoted.startswith('"') and quoted.endswith('"')


def test_markup_in_the_title_and_the_users_name_prints_literally_on_every_page(
        app, session, staff):
    decree = _synthetic_decree(staff["head"].user_id, approved=120, reserve=0)
    meta = ReportMeta("decree", f"Lampiran {PAYLOAD}", f"{PAYLOAD} (head)",
                      ChainHead(7, "d" * 64))
    with app.app_context():
        annex = build_annex(session, decree)
        content = annex_job(annex, meta, categories=CATEGORY_LABELS, letters=CATEGORY_LETTERS,
                            workers=1)()
    pages = pdf_pages(content)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert page_label(app, number, len(pages)) in page, number
        assert _shows(page, f"{PAYLOAD} (head)"), number  # the footer
        assert "X" not in _lines(page), number
        if number > 1:  # the running header, absent from the letterhead page
            assert _shows(page, f"Lampiran {PAYLOAD}"), number
            assert "PEMERINTAH KOTA BEKASI" in page, number
    assert "3275019000000120" in flat(" ".join(pages))  # the list itself is all there


def test_markup_in_a_workers_name_an_sk_number_and_the_signers_name_prints_literally(
        app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    case = make_verified(session, staff["cw1"], staff["cw2"], full_name=f"Siti {PAYLOAD}")
    sk_number = f"SK/{PAYLOAD}"
    approve_batch(session, fiscal_year=2026, application_ids=[case.id], sk_number=sk_number,
                  sk_date=date(2026, 3, 2), actor=staff["head"])
    session.execute(select(User).where(User.username == "head")).scalar_one().full_name = \
        f"Kepala {PAYLOAD}"
    session.commit()
    content = run_report(app, ["decree", sk_number, "--as", "head", "--purpose",
                               "Uji penyisipan markup"], tmp_path / "sk.pdf")
    pages = pdf_pages(content)
    everything = " ".join(pages)
    for shown in (f"Siti {PAYLOAD}", sk_number, f"Kepala {PAYLOAD} (head)"):
        assert _shows(everything, shown), shown
    for number, page in enumerate(pages, start=1):
        assert page_label(app, number, len(pages)) in page, number
        assert "X" not in _lines(page), number
