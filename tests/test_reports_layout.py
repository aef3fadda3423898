"""The layout machinery of long reports and the figures computed in SQL."""
import hashlib
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.reports.render import annex_job
from models import ApplicationTransition, Decree, clock
from reports.decree_annex import CATEGORY_LETTERS, build_annex
from reports.meta import ChainHead, ReportMeta
from reports.pdf import LayoutDrift, render_chunks
from reports.pdf.strips import LINE, Column, Section, plan_pages
from reports.pdf.textfit import text_width, wrap
from reports.period import Period
from reports.program import program_report
from reports.stage_times import stage_times
from tests.factories import make_submitted, make_verified
from tests.report_helpers import flat, page_label, pdf_pages
from workflows.verification import return_application

WIB = ZoneInfo("Asia/Jakarta")


def test_wrapping_measures_with_the_font():
    assert text_width("WWWW", 10) > text_width("iiii", 10) > 0
    lines = wrap("Muhammad Abdurrahman Sulaiman bin Haji Abdullah", 60, 7.5)
    assert len(lines) > 1 and all(text_width(line, 7.5) <= 60 for line in lines)
    assert " ".join(lines) == "Muhammad Abdurrahman Sulaiman bin Haji Abdullah"
    assert "".join(wrap("x" * 60, 30, 7.5)) == "x" * 60  # a long word is cut, not lost


def test_pages_are_planned_in_lines_with_headings_repeated_and_the_trailer_kept():
    columns = [Column("no", "No.", 30, "right"), Column("name", "Nama", 60)]
    rows = [(i, "Nama yang cukup panjang sekali" if i % 10 == 0 else f"Nama {i}")
            for i in range(1, 101)]
    pages = plan_pages([Section("A", columns, rows), Section("B", columns, [], "tidak ada")],
                       lines_per_page=30, first_page_lines=12, trailer_lines=8)
    assert all(page.used <= page.budget for page in pages)
    assert pages[0].budget == 12 and [p.number for p in pages] == list(range(1, len(pages) + 1))
    first = pages[0].segments[0]
    assert not first.continued and first.heights[:1] == [1]
    assert pages[1].segments[0].continued and pages[1].segments[0].title == "A"
    tall = [h for p in pages for s in p.segments for h in s.heights if h > 1]
    assert len(tall) == 10  # every tenth name wraps to more lines
    shown = [row[0][0] for p in pages for s in p.segments if s.title == "A" for row in s.cells]
    assert shown == [str(i) for i in range(1, 101)]
    assert pages[-1].trailer and sum(p.trailer for p in pages) == 1
    assert pages[-1].segments, "the signature page carries the last rows of the list"
    empty = [s for p in pages for s in p.segments if s.title == "B"][0]
    assert empty.column_text(1) == "tidak ada"
    assert first.rules == [LINE * k for k in range(1, len(first.heights))]


def test_a_chunk_that_drifts_from_the_plan_is_refused():
    html = "<p>satu</p><p style='break-before: page'>dua</p>"
    with pytest.raises(LayoutDrift):
        render_chunks([html, html], planned_pages=[2, 1])


def _synthetic_decree(head_id: int, approved: int, reserve: int) -> Decree:
    def entry(i):
        return {"rank": i, "application": 5000 + i, "nik": f"3275019{i:09d}",
                "name": f"Pekerja Sintetis {i}" + (" Nama Tengah Panjang Sekali Sampai Dua Baris"
                                                   if i % 9 == 0 else ""),
                "kelurahan": "Margahayu", "category": "pedagang", "desil": 1 + i % 4,
                "reason": f"desil {1 + i % 4}; diajukan 2026-01-02"}
    lists = {"approved": [{**entry(i), "commitment": 201_600} for i in range(1, approved + 1)],
             "reserve": [entry(i) for i in range(approved + 1, approved + reserve + 1)]}
    snapshot = json.dumps(lists, sort_keys=True, separators=(",", ":"))
    return Decree(sk_number="SK-SINTETIS", sk_date=date(2026, 1, 10), fiscal_year=2026,
                  approved_by_id=head_id, approved_count=approved, waitlisted_count=reserve,
                  total_commitment=201_600 * approved, snapshot=snapshot,
                  snapshot_sha256=hashlib.sha256(snapshot.encode()).hexdigest())


@pytest.mark.parametrize("workers", [1, 2])
def test_a_chunked_annex_keeps_page_x_of_y_right_across_the_joins(app, session, staff, workers):
    decree = _synthetic_decree(staff["head"].user_id, approved=150, reserve=40)
    meta = ReportMeta("decree", "Lampiran SK-SINTETIS", "Pegawai head (head)",
                      ChainHead(41, "c" * 64))
    heard = []  # what a job's progress bar is told as the chunks come back
    with app.app_context():
        annex = build_annex(session, decree)
        content = annex_job(annex, meta, categories=CATEGORY_LABELS, letters=CATEGORY_LETTERS,
                            workers=workers, pages_per_chunk=2)(
            lambda done, total: heard.append((done, total)))
    pages = pdf_pages(content)
    assert len(pages) == annex.total_pages > 4
    assert [done for done, _total in heard] == list(range(2, len(pages), 2)) + [len(pages)]
    assert {total for _done, total in heard} == {len(pages)}
    for number, page in enumerate(pages, start=1):
        assert page_label(app, number, len(pages)) in page, number
        assert "seq 41," in flat(page)
    everything = flat(" ".join(pages))
    assert all(f"3275019{i:09d}" in everything for i in range(1, 191))
    assert "PEMERINTAH KOTA BEKASI" in pages[0] and "NIP." in pages[-1]


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=WIB)


def test_stage_times_are_medians_and_90th_percentiles_of_the_stays(session, staff):
    """Three cases verified on 2 March (WIB): approved after 2 and 10 days, one still
    waiting at the end of March (30 days, open). Submitted stays are one day each."""
    cases = [make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(3)]
    for index, case in enumerate(cases):
        steps = session.execute(select(ApplicationTransition).where(
            ApplicationTransition.application_id == case.id)
            .order_by(ApplicationTransition.id)).scalars().all()
        assert [s.to_state for s in steps] == ["draft", "submitted", "verified"]
        steps[0].at, steps[1].at, steps[2].at = _at(1) - timedelta(days=3), _at(1), _at(2)
        if index < 2:
            session.add(ApplicationTransition(application_id=case.id, from_state="verified",
                                              to_state="approved", actor_id=None,
                                              at=_at(2) + timedelta(days=(2, 10)[index])))
    session.flush()
    found = {s.state: s for s in stage_times(session, Period(date(2025, 3, 1),
                                                             date(2025, 3, 31)))}
    assert set(found) == {"submitted", "verified", "approved"}  # drafts began in February
    verified = found["verified"]
    assert (verified.stays, verified.still_open) == (3, 1)
    assert verified.median_days == pytest.approx(10) and verified.p90_days == pytest.approx(30)
    assert found["submitted"].median_days == pytest.approx(1)
    assert found["approved"].still_open == 2


def test_program_report_counts_the_flow_and_the_participants(session, staff):
    before = program_report(session, Period(date(2026, 1, 1), date(2026, 12, 31)))
    make_verified(session, staff["cw1"], staff["cw2"], category="wiraswasta")
    returned = make_submitted(session, staff["cw1"])
    return_application(session, returned, reason="KK buram", actor=staff["cw2"])
    session.flush()
    today = clock.today()
    report = program_report(session, Period(today - timedelta(days=1), today + timedelta(days=1)))
    assert report.flow["received"] >= 2 and report.flow["verified"] >= 1
    assert report.flow["returned"] >= 1
    states = dict(report.by_state)
    assert states.get("verified", 0) >= dict(before.by_state).get("verified", 0) + 1
    assert report.policy is not None
