"""BPJS membership status files: the import (all or nothing, idempotent, hostile files),
the per-participant record and its NONAKTIF/AKTIF lapse and reactivation."""
import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from models import AuditEvent, ImportRun, MembershipStatus
from tests.factories import enrol, make_budget, make_verified
from tests.membership_factories import pay, row_of, status_csv, status_xlsx
from workflows.errors import InvalidInput, NotAllowed
from workflows.membership.status_import import import_bpjs_status

AS_OF = date(2026, 7, 1)


def _import(session, staff, stream, *, name="status-bpjs.csv", as_of=AS_OF, actor="cw1"):
    return import_bpjs_status(session, stream, file_name=name, as_of=as_of,
                              actor=staff[actor])


def _record(session, application) -> MembershipStatus | None:
    return session.execute(select(MembershipStatus).where(
        MembershipStatus.worker_id == application.worker_id)).scalar_one_or_none()


def _events(session, action) -> list[AuditEvent]:
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _problems(run) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run.error_report)))


@pytest.fixture
def members(session, staff):
    make_budget(session, staff["admin1"], places=4)
    return enrol(session, staff, 3)


def test_a_good_file_records_each_status_and_nonaktif_lapses(session, staff, members):
    active, inactive, dated = members
    rows = [row_of(active, "AKTIF", "2026-06"), row_of(inactive, "NONAKTIF", "2026-02"),
            row_of(dated, "aktif", "2026-05-15")]
    result = _import(session, staff, status_csv(rows))
    assert result.applied and result.run.kind == "bpjs_status" and result.run.row_count == 3
    assert (result.updated, result.older, result.lapsed, result.reactivated) == (3, 0, 1, 0)
    assert result.run.as_of == AS_OF
    got = {a.id: _record(session, a) for a in members}
    assert [(r.bpjs_status, r.bpjs_paid_through, r.bpjs_as_of, r.import_run_id, r.lapsed)
            for r in got.values()] == [
        ("AKTIF", date(2026, 6, 1), AS_OF, result.run.id, False),
        ("NONAKTIF", date(2026, 2, 1), AS_OF, result.run.id, True),
        ("AKTIF", date(2026, 5, 1), AS_OF, result.run.id, False)]
    assert got[inactive.id].lapse_reason == "bpjs_nonaktif" and got[inactive.id].lapsed_on == AS_OF
    assert got[inactive.id].application_id == inactive.id
    applied = [e for e in _events(session, "import.applied") if e.entity_id == str(result.run.id)]
    assert len(applied) == 1 and '"lapsed":1' in applied[0].diff and '"updated":3' in applied[0].diff
    lapse = _events(session, "membership.lapse")
    assert [(e.entity_type, e.entity_id) for e in lapse] == [
        ("membership_status", str(got[inactive.id].id))]
    assert '"lapse_reason":[null,"bpjs_nonaktif"]' in lapse[0].diff
    assert inactive.worker.nik not in lapse[0].diff + applied[0].diff  # no NIK in the log
    assert session.get(type(inactive), inactive.id).state == "enrolled"  # a flag, not an exit


def test_an_xlsx_with_excel_dates_and_day_month_year_is_read(session, staff, members):
    first, second, third = members
    rows = [(first.worker.nik, first.kpj, "AKTIF", datetime(2026, 4, 30)),
            (second.worker.nik, second.kpj, "AKTIF", "31/03/2026"),
            (third.worker.nik, third.kpj, "NONAKTIF", None)]
    result = _import(session, staff, status_xlsx(rows), name="status.xlsx")
    assert result.applied, result.run.error_report
    assert [_record(session, a).bpjs_paid_through for a in members] == [
        date(2026, 4, 1), date(2026, 3, 1), None]


def test_bad_cells_are_listed_per_row_and_nothing_is_applied(session, staff, members):
    good, other, third = members
    rows = [row_of(good),
            (third.worker.nik, third.kpj, "AKTIV", "2026-06"),  # bad status
            (other.worker.nik, other.kpj, "AKTIF", "2026-13"),  # no such month
            (other.worker.nik + "9", other.kpj, "AKTIF", "2026-06"),  # 17 digits
            (third.worker.nik, third.kpj, "AKTIF", ""),  # AKTIF needs the month
            (good.worker.nik, good.kpj, "AKTIF", "2026-06")]  # the NIK again
    result = _import(session, staff, status_csv(rows))
    assert result.run.status == "rejected" and not result.applied
    found = {(p["baris"], p["kolom"]) for p in _problems(result.run)}
    assert found == {("3", "status"), ("4", "dibayar_sampai"), ("5", "nik"),
                     ("6", "dibayar_sampai"), ("7", "nik")}
    assert session.scalar(select(func.count()).select_from(MembershipStatus)) == 0
    assert [e.entity_id for e in _events(session, "import.rejected")] == [str(result.run.id)]


def test_rows_that_are_not_our_participants_are_listed_and_nothing_is_applied(
        session, staff, members):
    good, other, _third = members
    waiting = make_verified(session, staff["cw1"], staff["cw2"])
    rows = [row_of(good, "NONAKTIF"),
            ("3275010101990001", "26000000001", "AKTIF", "2026-06"),  # unknown NIK
            (other.worker.nik, good.kpj, "AKTIF", "2026-06"),  # another's KPJ
            (_third.worker.nik, "26999999999", "AKTIF",
             "2026-06"),  # not the participant's KPJ
            (waiting.worker.nik, "26000099999", "AKTIF", "2026-06")]  # not enrolled
    result = _import(session, staff, status_csv(rows))
    assert result.run.status == "rejected"
    found = {(p["baris"], p["kolom"]) for p in _problems(result.run)}
    assert found == {("3", "nik"), ("4", "kpj"), ("5", "kpj"), ("6", "nik")}
    assert session.scalar(select(func.count()).select_from(MembershipStatus)) == 0
    assert not _events(session, "membership.lapse")  # the NONAKTIF row was rolled back


def test_the_same_file_twice_changes_nothing(session, staff, members):
    rows = [row_of(a, "NONAKTIF", "2026-03") for a in members]
    first = _import(session, staff, status_csv(rows))
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    again = _import(session, staff, status_csv(rows), name="lagi.csv", as_of=date(2026, 7, 5))
    assert again.duplicate_file and not again.applied and again.run.id == first.run.id
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq  # no event at all
    assert session.scalar(select(func.count()).select_from(ImportRun).where(
        ImportRun.kind == "bpjs_status")) == 1


def test_an_older_file_does_not_undo_a_newer_status(session, staff, members):
    member = members[0]
    _import(session, staff, status_csv([row_of(member, "AKTIF", "2026-06")]))
    older = _import(session, staff, status_csv([row_of(member, "NONAKTIF", "2026-01")]),
                    as_of=date(2026, 6, 1))
    assert older.applied and (older.updated, older.older, older.lapsed) == (0, 1, 0)
    record = _record(session, member)
    assert (record.bpjs_status, record.bpjs_as_of, record.lapsed) == ("AKTIF", AS_OF, False)


def _damaged_xlsx() -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<not-a-workbook")
    out.seek(0)
    return out


@pytest.mark.parametrize("stream, name, column", [
    (_damaged_xlsx, "status.xlsx", ""),
    (lambda: io.BytesIO(b"%PDF-1.7 not a table"), "status.pdf", ""),
    (lambda: io.BytesIO(b"nik,kpj,status\n3275010101990001,26000000001,AKTIF\n"), "s.csv",
     "dibayar_sampai"),
])
def test_hostile_or_broken_files_are_refused_with_a_message(session, staff, members, stream,
                                                            name, column):
    result = _import(session, staff, stream(), name=name)
    assert result.run.status == "rejected"
    problems = _problems(result.run)
    assert problems and problems[0]["kolom"] == column and problems[0]["pesan"]
    assert session.scalar(select(func.count()).select_from(MembershipStatus)) == 0


def test_a_formula_is_never_run_and_stays_text_in_the_report(session, staff, members):
    member = members[0]
    rows = [("=HYPERLINK(\"http://x\")", member.kpj, "AKTIF", "2026-06"),
            (member.worker.nik, member.kpj, "+AKTIF", "2026-06")]
    # In an XLSX the formula has no value (it was never calculated): an empty NIK.
    result = _import(session, staff, status_xlsx(rows), name="status.xlsx")
    assert result.run.status == "rejected"
    values = {(p["baris"], p["kolom"]): p["nilai"] for p in _problems(result.run)}
    assert values == {("2", "nik"): "", ("3", "status"): "'+AKTIF"}
    # In a CSV it is text, quoted back with an apostrophe so Excel does not run it.
    result = _import(session, staff, status_csv(rows), name="status.csv")
    values = {(p["baris"], p["kolom"]): p["nilai"] for p in _problems(result.run)}
    assert values[("2", "nik")].startswith("'=HYPERLINK") and values[("3", "status")] == "'+AKTIF"


def test_only_caseworkers_import_and_not_for_a_future_day(session, staff, members):
    with pytest.raises(NotAllowed):
        _import(session, staff, status_csv([row_of(members[0])]), actor="head")
    with pytest.raises(NotAllowed):
        _import(session, staff, status_csv([row_of(members[0])]), actor="audit1")
    with pytest.raises(InvalidInput):
        _import(session, staff, status_csv([row_of(members[0])]), as_of=date(2026, 7, 11))
    assert session.scalar(select(func.count()).select_from(ImportRun).where(
        ImportRun.kind == "bpjs_status")) == 0


def test_a_later_aktif_status_reactivates(session, staff, members):
    member = members[0]
    _import(session, staff, status_csv([row_of(member, "NONAKTIF", "2026-02")]),
            as_of=date(2026, 6, 1))
    assert _record(session, member).lapsed
    later = _import(session, staff, status_csv([row_of(member, "AKTIF", "2026-06")]),
                    as_of=date(2026, 7, 2))
    assert (later.lapsed, later.reactivated) == (0, 1)
    record = _record(session, member)
    assert (record.lapsed, record.lapse_reason, record.reactivated_on) == (
        False, None, date(2026, 7, 2))
    event = _events(session, "membership.reactivate")
    assert len(event) == 1 and '"reactivated_by":[null,"bpjs_aktif"]' in event[0].diff
    assert '"lapse_reason":["bpjs_nonaktif",null]' in event[0].diff


def test_a_nonaktif_lapse_stays_until_bpjs_says_aktif_though_we_paid(session, staff, members):
    """Our months are paid, BPJS says NONAKTIF: the daily run does not undo BPJS's word."""
    from workflows.membership.lapse import update_lapses
    member = members[0]
    pay(session, staff, date(2026, 1, 1), 6)
    _import(session, staff, status_csv([row_of(member, "NONAKTIF", "2026-02")]))
    assert update_lapses(session, today=date(2026, 7, 10), actor=staff["cw1"]) == (0, 0)
    record = _record(session, member)
    assert (record.lapsed, record.lapse_reason) == (True, "bpjs_nonaktif")
    assert not _events(session, "membership.reactivate")


def test_nonaktif_for_an_ended_membership_records_the_status_without_a_lapse(session, staff,
                                                                             members):
    from workflows.exits import terminate_membership
    member = members[0]
    pay(session, staff, date(2026, 1, 1), 3)
    terminate_membership(session, member, reason_code="pindah_domisili", note="pindah ke Depok",
                         effective_month=date(2026, 4, 1), actor=staff["cw1"])
    result = _import(session, staff, status_csv([row_of(member, "NONAKTIF", "2026-03")]))
    assert result.applied and result.lapsed == 0
    record = _record(session, member)
    assert (record.bpjs_status, record.lapsed) == ("NONAKTIF", False)
