"""The city's reports (issue 15 item 6) from a scenario built through the verbs: the
by-name list, the quarterly budget realisation, coverage against the Permendagri
15/2024 target and the Inpres 2/2021 table, read back from the PDF's text and the
XLSX's cells, with the audit chain head and the generation's audit events."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from models import Application, BudgetLedger, BudgetYear, clock
from models.audit import READ_MARK
from models.clock import JAKARTA
from reports.formatting import masked_nik, rupiah
from tests.city_report_helpers import (BEKASIJAYA, KRANJI, PURPOSE, info, make_report,
                                       members, paid_block, sheets)
from tests.factories import make_budget, make_verified
from tests.report_helpers import diff_of, flat, pdf_pages, report_events, translated
from workflows.complaints import answer_complaint, file_complaint
from workflows.errors import InvalidInput, NotAllowed
from workflows.exits import terminate_membership


def _text(result) -> str:
    return flat(" ".join(pdf_pages(result.content)))


def _chain_head_matches(app, result, event) -> None:
    """The XLSX's Info sheet names the head its report.generate event records."""
    detail = diff_of(event)
    facts = info(result.content)
    assert facts[translated(app, "Audit chain head at generation (seq)")] == \
        detail["chain_head_seq"] == result.head.seq
    assert facts[translated(app, "Audit chain head at generation (hash)")] == \
        detail["chain_head_hash"] == result.head.hash


def _city(session, staff):
    """Two participants in Bekasijaya, two in Kranji (one moved away from May), one
    verified worker not enrolled; January-March paid under an SP2D of 31 March."""
    make_budget(session, staff["admin1"], places=10)
    timur = members(session, staff, 2, kelurahan_code=BEKASIJAYA)
    barat = members(session, staff, 2, kelurahan_code=KRANJI, category="pekerja_lepas")
    waiting = make_verified(session, staff["cw1"], staff["cw2"], kelurahan_code=KRANJI)
    paid_block(session, staff, date(2026, 1, 1), 3, "SP2D-KOTA-Q1", date(2026, 3, 31))
    terminate_membership(session, barat[1], reason_code="pindah_domisili",
                         effective_month=date(2026, 5, 1), note="Pindah ke Depok",
                         actor=staff["cw1"])
    session.commit()
    return timur, barat, waiting


def test_the_by_name_list_masks_the_nik_in_the_pdf_and_counts_per_kelurahan(
        app, session, staff):
    timur, barat, waiting = _city(session, staff)
    result = make_report(app, staff, "city_participants", "pdf", {"year": "2026"},
                         purpose=PURPOSE)
    text = _text(result)
    for application in timur + barat:
        worker = session.get(Application, application.id).worker
        assert worker.full_name in text and masked_nik(worker.nik) in text
        assert worker.nik not in text
    assert session.get(Application, waiting.id).worker.full_name not in text
    # Per kelurahan: participants, of which still active; then the kecamatan and the city.
    assert "Bekasi Barat Kranji 2 1" in text and "Bekasi Timur Bekasijaya 2 2" in text
    assert translated(app, "Total") + " 4 3" in text
    assert "RT 001/RW 002" in text and "03-2026" in text  # paid through March
    assert translated(app, "Ended") + " 05-2026: " + translated(app, "Moved out of Kota Bekasi") \
        in text
    event = report_events(session, "report.generate")[-1]
    assert (event.reason, diff_of(event)[READ_MARK]) == (PURPOSE, "bulk")
    assert f"seq {result.head.seq}," in text and result.head.hash in text


def test_the_by_name_xlsx_holds_the_full_nik_and_the_area_filters_hold(app, session, staff):
    timur, barat, _waiting = _city(session, staff)
    result = make_report(app, staff, "city_participants", "xlsx", {"year": "2026"},
                         user="audit1", purpose=PURPOSE)
    rows = sheets(result.content)[0][1:]
    listed = {row[3]: row for row in rows}
    assert len(rows) == 4
    moved = session.get(Application, barat[1].id)
    row = listed[moved.worker.nik]
    assert row[:3] == ("Bekasi Barat", "Kranji", moved.worker.full_name)
    assert (row[5], row[6], row[8]) == ("001", "002", moved.kpj)
    assert (row[9].date(), row[10].date(), row[13].date()) == (
        date(2026, 1, 1), date(2026, 3, 1), date(2026, 5, 1))
    assert row[11] == translated(app, "Ended")
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # grouped by kecamatan
    counts = sheets(result.content)[1][1:]
    assert counts == [("Bekasi Barat", "Kranji", 2, 1), ("Bekasi Timur", "Bekasijaya", 2, 2)]
    _chain_head_matches(app, result, report_events(session, "report.generate")[-1])
    # One kelurahan, or one kecamatan: only its people.
    kranji = sheets(make_report(app, staff, "city_participants", "xlsx",
                                {"year": "2026", "kelurahan": KRANJI},
                                purpose=PURPOSE).content)[0][1:]
    assert {r[1] for r in kranji} == {"Kranji"} and len(kranji) == 2
    timur_only = sheets(make_report(app, staff, "city_participants", "xlsx",
                                    {"year": "2026", "kecamatan": "327501"},
                                    purpose=PURPOSE).content)[0][1:]
    assert {r[3] for r in timur_only} == {session.get(Application, a.id).worker.nik
                                         for a in timur}
    # Nobody covered in 2025.
    assert sheets(make_report(app, staff, "city_participants", "xlsx", {"year": "2025"},
                              purpose=PURPOSE).content)[0][1:] == []


def test_the_by_name_list_is_refused_without_purpose_to_the_admin_and_for_a_wrong_area(
        app, session, staff):
    _city(session, staff)
    before = len(report_events(session, "report.generate"))
    with pytest.raises(InvalidInput):
        make_report(app, staff, "city_participants", "xlsx", {"year": "2026"})
    with pytest.raises(NotAllowed):
        make_report(app, staff, "city_participants", "pdf", {"year": "2026"}, user="admin1",
                    purpose=PURPOSE)
    with pytest.raises(InvalidInput):
        make_report(app, staff, "city_participants", "pdf",
                    {"year": "2026", "kelurahan": "32750"}, purpose=PURPOSE)
    with pytest.raises(Exception, match="3275021002"):  # Kranji is not in Bekasi Timur
        make_report(app, staff, "city_participants", "pdf",
                    {"year": "2026", "kecamatan": "327501", "kelurahan": KRANJI},
                    purpose=PURPOSE)
    assert len(report_events(session, "report.generate")) == before


def test_the_quarterly_realisation_puts_each_sp2d_and_decision_in_its_quarter(
        app, session, staff):
    year = make_budget(session, staff["admin1"], places=10)
    # Decisions either side of midnight WIB at the end of March (17:10 UTC on 31 March
    # is already 1 April in Bekasi).
    with clock.pinned(datetime(2026, 3, 31, 23, 30, tzinfo=JAKARTA)):
        first = members(session, staff, 2, sk_date=date(2026, 3, 30))
    with clock.pinned(datetime(2026, 4, 1, 0, 10, tzinfo=JAKARTA)):
        second = members(session, staff, 1, sk_date=date(2026, 3, 30))
    q1 = paid_block(session, staff, date(2026, 1, 1), 3, "SP2D-TW-1", date(2026, 3, 31))
    q2 = paid_block(session, staff, date(2026, 4, 1), 3, "SP2D-TW-2", date(2026, 4, 1))
    terminate_membership(session, second[0], reason_code="pindah_domisili",
                         effective_month=date(2026, 8, 1), note="", actor=staff["cw1"])
    session.commit()

    def ledger(ids, kind):
        return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0)).where(
            BudgetLedger.application_id.in_([a.id for a in ids]), BudgetLedger.kind == kind))
    session.expire_all()
    year = session.get(BudgetYear, 2026)
    result = make_report(app, staff, "city_budget", "xlsx", {"year": "2026"}, user="audit1")
    rows = {row[0]: row for row in sheets(result.content)[0][1:]}
    assert list(rows) == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    committed = [rows[q][2] for q in rows]
    released = [rows[q][3] for q in rows]
    paid = [rows[q][4] for q in rows]
    assert committed == [ledger(first, "commit"), ledger(second, "commit"), 0, 0]
    assert released == [0, 0, -ledger(second, "release"), 0] and released[2] > 0
    assert paid == [q1.total, q2.total, 0, 0] and q1.total == 3 * 3 * 16_800
    assert [rows[q][5] for q in rows] == [3, 3, 0, 0]       # participants paid
    assert [rows[q][8] for q in rows] == [3, 3, 3, 3]       # distinct, from 1 January
    assert rows["Q4 2026"][7] == year.realised == q1.total + q2.total
    assert rows["Q4 2026"][9] == year.appropriation - year.committed
    assert rows["Q2 2026"][10] == pytest.approx((q1.total + q2.total) / year.appropriation)
    assert rows["Q1 2026"][11] == rows["Q1 2026"][12] == q1.total  # months due and paid
    _chain_head_matches(app, result, report_events(session, "report.generate")[-1])
    text = _text(make_report(app, staff, "city_budget", "pdf", {"year": "2026"}))
    assert f"Q1 2026 {rupiah(committed[0])} Rp0 {rupiah(q1.total)} 3" in text
    assert "SP2D-TW-1" in text and year.dpa_reference in text


def test_coverage_grows_from_the_sigap_baseline_and_from_the_systems_own_counts(
        app, session, staff):
    make_budget(session, staff["admin1"], places=10)
    members(session, staff, 2, kelurahan_code=BEKASIJAYA)
    stays, leaves = members(session, staff, 2, kelurahan_code=KRANJI)
    terminate_membership(session, leaves, reason_code="pekerja_formal",
                         effective_month=date(2026, 12, 1), note="", actor=staff["cw1"])
    session.commit()
    result = make_report(app, staff, "city_coverage", "xlsx", {"year": "2026"}, user="cw1")
    years = {row[0]: row for row in sheets(result.content)[0][1:]}
    # 2025: no data here, the SIGAP baseline; 2026: +20% on it, rounded up.
    assert years["2025"][6] == 11_666 and years["2025"][7] == translated(app, "yes")
    assert years["2026"][1:6] == (4, 3, 11_666, 14_000, pytest.approx(4 / 14_000))
    by_kecamatan = {row[0]: row for row in sheets(result.content)[1][1:]}
    assert by_kecamatan["Bekasi Timur"][1:3] == (2, 2)
    assert by_kecamatan["Bekasi Barat"][1:3] == (2, 1)      # left in December
    assert by_kecamatan["Bekasi Barat"][4] is None          # no count for 2025 there
    _chain_head_matches(app, result, report_events(session, "report.generate")[-1])
    text = _text(make_report(app, staff, "city_coverage", "pdf", {"year": "2026"}))
    assert "jatengnews.id" in text and "11.666" in text and "14.000" in text
    # The next year grows from this system's count (4): at least 5, none there yet.
    later = {row[0]: row for row in sheets(make_report(
        app, staff, "city_coverage", "xlsx", {"year": "2027"}).content)[0][1:]}
    assert later["2027"][1:5] == (0, 0, 4, 5)
    # A configured baseline replaces the default (CASEAPP_COVERAGE_BASELINE).
    app.config["COVERAGE_BASELINE"] = "2025:3"
    try:
        shown = {row[0]: row for row in sheets(make_report(
            app, staff, "city_coverage", "xlsx", {"year": "2026"}).content)[0][1:]}
    finally:
        app.config["COVERAGE_BASELINE"] = ""
    assert shown["2026"][3:6] == (3, 4, 1.0)


def test_the_inpres_table_counts_each_semester_by_category_and_kecamatan(
        app, session, staff):
    """Today is 10 July 2026: the cases were sent to BPJS in the second semester; the
    first semester saw one exit; July is paid."""
    make_budget(session, staff["admin1"], places=10)
    members(session, staff, 2, kelurahan_code=BEKASIJAYA)
    barat = members(session, staff, 2, kelurahan_code=KRANJI, category="pekerja_lepas")
    members(session, staff, 1, kelurahan_code=KRANJI, category="wiraswasta",
            coverage_start=date(2026, 8, 1))
    terminate_membership(session, barat[1], reason_code="pindah_domisili",
                         effective_month=date(2026, 5, 1), note="", actor=staff["cw1"])
    s1 = [paid_block(session, staff, date(2026, 1, 1), 3, "SP2D-IN-1", date(2026, 3, 31)),
          paid_block(session, staff, date(2026, 4, 1), 3, "SP2D-IN-2", date(2026, 6, 30))]
    july = paid_block(session, staff, date(2026, 7, 1), 1, "SP2D-IN-3", date(2026, 7, 10))
    session.commit()
    first = sheets(make_report(app, staff, "city_inpres", "xlsx", {"semester": "2026-S1"},
                               user="audit1").content)
    by_category = {row[0]: row[1:] for row in first[2][1:]}
    total = translated(app, "Total")
    # registered, enrolled (covered), active (paid through 30 June), ended
    assert by_category[total] == (0, 4, 3, 1)
    assert by_category[translated(app, "b. Freelance worker (pekerja lepas)")] == (0, 2, 1, 1)
    assert {row[0]: row[1:] for row in first[3][1:]}["Bekasi Timur"] == (0, 2, 2, 0)
    # Allocated, committed by 30 June (the decisions came on 10 July), realised by SP2D.
    assert first[1][1][1:] == (16_800 * 12 * 10, 0, s1[0].total + s1[1].total)
    second = sheets(make_report(app, staff, "city_inpres", "xlsx", {"semester": "2026-s2"},
                                user="audit1").content)
    by_category = {row[0]: row[1:] for row in second[2][1:]}
    assert by_category[total] == (5, 4, 3, 0)   # the August start is not active on 10 July
    assert by_category[translated(app, "c. Self-employed (wiraswasta)")] == (1, 1, 0, 0)
    session.expire_all()
    year = session.get(BudgetYear, 2026)
    assert second[1][1][2:] == (year.committed, year.realised)
    assert year.realised == s1[0].total + s1[1].total + july.total
    facts = dict(second[0][1:])
    assert facts[translated(app, "Active on")] == "2026-07-10"
    assert facts[translated(app, "Data aktual (DTSEN) as of")] == "2026-01-01"
    text = _text(make_report(app, staff, "city_inpres", "pdf", {"semester": "2026-S1"}))
    assert "Perda Kota Bekasi No. 11 Tahun 2024 Pasal 90" in text
    assert "30 Juni 2026" in text and "Bekasi Timur 0 2 2 0" in text
    assert f"{total} 0 4 3 1" in text


def test_the_inpres_table_counts_the_complaints_of_each_semester(app, session, staff):
    """Today is 10 July 2026. Each complaint is due 14 days after it came in."""
    def complaint(received_on, answer=None):
        filed = file_complaint(session, kind="sanggahan", complainant_name="Ibu Sari",
                               contact="081234567890", kelurahan_code=BEKASIJAYA,
                               text="Tidak masuk daftar.", received_on=received_on,
                               actor=staff["cw1"])
        if answer:
            answer_complaint(session, filed, answer=answer, actor=staff["cw1"])

    complaint(date(2026, 5, 1))                          # S1, still open, overdue
    complaint(date(2026, 6, 1), "Desil 6 pada DTSEN.")   # S1, answered late (due 15 June)
    complaint(date(2026, 7, 1), "Sudah diusulkan.")      # S2, answered in time
    complaint(date(2026, 7, 10))                         # S2, open, due 24 July
    session.commit()
    received, in_time, late, still_open, overdue = (translated(app, label) for label in (
        "Complaints and objections received", "Answered within 14 days", "Answered late",
        "Still open", "Overdue"))
    for semester, expected in (("2026-S1", (2, 0, 1, 1, 1)), ("2026-S2", (2, 1, 0, 1, 0))):
        facts = dict(sheets(make_report(app, staff, "city_inpres", "xlsx",
                                        {"semester": semester}, user="audit1").content)[0][1:])
        assert tuple(facts[key] for key in (received, in_time, late, still_open,
                                            overdue)) == tuple(map(str, expected))
    text = _text(make_report(app, staff, "city_inpres", "pdf", {"semester": "2026-S1"}))
    assert f"{in_time} 0 {late} 1 {still_open} 1 {translated(app, 'Overdue')} 1" in text
