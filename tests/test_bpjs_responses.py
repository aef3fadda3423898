"""BPJS's reply: enrolment, rejection with release and promotion, idempotency, bad files."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import (Application, AuditEvent, BudgetLedger, BudgetYear, ImportRun,
                    RegistrationBatch)
from tests.bpjs_factories import (REPLY_HEADER, START, YEAR, accepted, approved, budget, kpj,
                                  import_reply, new_batch, problems, rejected, reply_bytes,
                                  sent_batch)
from workflows.audit import verify_chain
from workflows.errors import NotAllowed


def _fresh(session, application):
    session.expire_all()
    return session.get(Application, application.id)


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _ledger_sum(session):
    return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0)).where(
        BudgetLedger.fiscal_year == YEAR))


def test_accepted_rows_enrol_with_kpj_and_coverage(session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    batch = sent_batch(session, staff)
    result = import_reply(session, staff, reply_bytes([accepted(first, 1),
                                                      accepted(second, 2, date(YEAR, 9, 1))]))
    assert result.applied and (result.enrolled, result.refused_by_bpjs) == (2, 0)
    assert result.batch_number == batch.batch_number
    first, second = _fresh(session, first), _fresh(session, second)
    assert (first.state, first.kpj, first.coverage_start) == ("enrolled", kpj(1), START)
    assert (second.kpj, second.coverage_start) == (kpj(2), date(YEAR, 9, 1))
    # Budget truth: the SK of 1 July committed July-December; what BPJS does not cover
    # (July; July and August) goes back, with a ledger row each.
    assert (first.commitment, second.commitment) == (16_800 * 5, 16_800 * 4)
    releases = session.execute(select(BudgetLedger.application_id, BudgetLedger.amount,
                                      BudgetLedger.months, BudgetLedger.places)
                               .where(BudgetLedger.kind == "release")).all()
    assert sorted(releases) == sorted([(first.id, -16_800, 1, 0), (second.id, -33_600, 2, 0)])
    assert session.get(BudgetYear, YEAR).committed == _ledger_sum(session) == 16_800 * 9
    enrolled = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.enrol")).scalars().all()
    assert sorted(int(e.entity_id) for e in enrolled) == sorted([first.id, second.id])
    membership = session.execute(select(AuditEvent.diff).where(
        AuditEvent.action == "bpjs.membership")).scalars().all()
    assert len(membership) == 2 and not any(kpj(1) in d or kpj(2) in d for d in membership)
    applied = session.execute(select(AuditEvent).where(
        AuditEvent.action == "import.applied").order_by(AuditEvent.seq)).scalars().all()[-1]
    assert batch.batch_number in applied.diff and '"enrolled":2' in applied.diff
    assert verify_chain(session).ok


def test_rejection_releases_the_commitment_and_promotes_the_waiting_list(session, staff):
    budget(session, staff, places=2)
    cases = approved(session, staff, 3)
    taken = [a for a in cases if a.state == "approved"]
    reserve = next(a for a in cases if a.state == "waitlisted")
    sent_batch(session, staff)
    committed = session.get(BudgetYear, YEAR).committed
    refused = taken[1]
    commitment = refused.commitment
    assert commitment > 0
    result = import_reply(session, staff, reply_bytes([
        accepted(taken[0], 1), rejected(refused, "Terdaftar sebagai peserta PU")]))
    assert result.applied and (result.enrolled, result.refused_by_bpjs) == (1, 1)
    refused, reserve = _fresh(session, refused), _fresh(session, reserve)
    assert refused.state == "bpjs_rejected"
    step = refused.transitions[-1]
    assert (step.to_state, step.reason) == ("bpjs_rejected", "Terdaftar sebagai peserta PU")
    release = session.execute(select(BudgetLedger).where(
        BudgetLedger.application_id == refused.id, BudgetLedger.kind == "release")
    ).scalar_one()
    assert release.amount == -commitment and release.places == -1
    assert reserve.state == "approved" and reserve.commitment > 0
    year = session.get(BudgetYear, YEAR)
    # The accepted case's July (SK month, no cover before August) went back too.
    assert year.committed == committed - commitment - 16_800 + reserve.commitment \
        == _ledger_sum(session)
    assert year.places_used == 2
    promoted = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.approve",
        AuditEvent.entity_id == str(reserve.id))).scalar_one()
    assert promoted.actor_name == "system:waitlist"


def test_the_same_reply_twice_changes_nothing(session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    sent_batch(session, staff)
    data = reply_bytes([accepted(first, 1), rejected(second)])
    assert import_reply(session, staff, data).applied
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    runs = _count(session, ImportRun)
    again = import_reply(session, staff, data, user="cw2", file_name="lagi.csv")
    assert again.duplicate_file and not again.applied
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq
    assert _count(session, ImportRun) == runs
    assert _fresh(session, first).state == "enrolled"
    # Another file restating what is recorded is applied and changes nothing either.
    restated = import_reply(session, staff, data + b"\n")
    assert restated.applied
    assert (restated.enrolled, restated.refused_by_bpjs, restated.unchanged) == (0, 0, 2)


def test_a_different_kpj_for_an_enrolled_nik_is_a_mismatch(session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    sent_batch(session, staff)
    assert import_reply(session, staff, reply_bytes([accepted(first, 1)])).applied
    result = import_reply(session, staff, reply_bytes([accepted(second, 2), accepted(first, 7)]))
    assert result.rejected
    assert [(p["baris"], p["kolom"]) for p in problems(result.run)] == [("3", "kpj")]
    assert "mismatch" in problems(result.run)[0]["pesan"]
    assert (_fresh(session, first).kpj, _fresh(session, second).state) == (kpj(1),
                                                                          "submitted_to_bpjs")


def test_only_caseworkers_import_replies(session, staff):
    budget(session, staff)
    first, = approved(session, staff, 1)
    sent_batch(session, staff)
    with pytest.raises(NotAllowed):
        import_reply(session, staff, reply_bytes([accepted(first, 1)]), user="head")


def _two_sent_and_one_prepared(session, staff):
    """Batch 1 (sent) with a, b; batch 2 (sent) with c; batch 3 (prepared) with d."""
    budget(session, staff)
    a, b = approved(session, staff, 2)
    sent_batch(session, staff)
    c, = approved(session, staff, 1)
    sent_batch(session, staff)
    d, = approved(session, staff, 1)
    new_batch(session, staff)
    return a, b, c, d


UNKNOWN_NIK = "3275011508900999"
BAD_FILES = {  # name: rows -> (file, [(row, column, part of the message)])
    "missing column": lambda a, b, c, d: (
        reply_bytes([r[:3] + r[4:] for r in (accepted(a, 1), accepted(b, 2))],
                    header=["nik", "kpj", "status", "tanggal_mulai"]),
        [("1", "alasan", "alasan is missing")]),
    "renamed column": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1)],
                    header=["nik", "no_kpj", "status", "alasan", "tanggal_mulai"]),
        [("1", "kpj", "not recognised: no_kpj")]),
    "duplicated NIK": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), accepted(b, 2), accepted(a, 3)]),
        [("4", "nik", "already appears in row 2")]),
    "unknown NIK": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), [UNKNOWN_NIK, kpj(9), "DITERIMA", "", START.isoformat()]]),
        [("3", "nik", "No batch sent to BPJS holds this NIK")]),
    "batch not yet sent": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), accepted(d, 4)]),
        [("3", "nik", "has not been marked as sent")]),
    "NIK of another batch": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), accepted(b, 2), accepted(c, 3)]),
        [("4", "nik", "this reply answers batch SG-")]),
    "malformed KPJ": lambda a, b, c, d: (
        reply_bytes([[a.worker.nik, "1234567", "DITERIMA", "", START.isoformat()],
                     [b.worker.nik, "2O11234567B", "DITERIMA", "", START.isoformat()]]),
        [("2", "kpj", "this one has 7"), ("3", "kpj", "only digits")]),
    "impossible date": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), [b.worker.nik, kpj(2), "DITERIMA", "", f"{YEAR}-02-30"]]),
        [("3", "tanggal_mulai", "not a date that exists")]),
    "rejection without reason and unknown status": lambda a, b, c, d: (
        reply_bytes([rejected(a, ""), [b.worker.nik, kpj(2), "OK", "", START.isoformat()]]),
        [("2", "alasan", "needs the reason"), ("3", "status", "DITERIMA or DITOLAK")]),
    "cp1252 encoding": lambda a, b, c, d: (
        reply_bytes([accepted(a, 1), rejected(b, "Data tidak cocok – cek KTP")],
                    encoding="cp1252"),
        [("3", None, "not UTF-8")]),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_reply_is_rejected_whole_with_the_rows_named(session, staff, case):
    a, b, c, d = _two_sent_and_one_prepared(session, staff)
    data, expected = BAD_FILES[case](a, b, c, d)
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    result = import_reply(session, staff, data)
    assert result.rejected and not result.applied and result.run.status == "rejected"
    found = problems(result.run)
    assert [(p["baris"], p["kolom"] or None) for p in found] == [e[:2] for e in expected], found
    for problem, (_row, _column, fragment) in zip(found, expected):
        assert fragment in problem["pesan"], found
    for application in (a, b, c, d):
        application = _fresh(session, application)
        assert application.state == "submitted_to_bpjs" and application.kpj is None
    actions = session.execute(select(AuditEvent.action).where(AuditEvent.seq > seq)
                              ).scalars().all()
    assert actions == ["import.rejected"]
    assert session.get(RegistrationBatch, a.registration_batch_id).status == "sent"


def test_an_xlsx_reply_with_text_cells_is_read_like_a_csv(session, staff, tmp_path):
    from openpyxl import Workbook

    budget(session, staff)
    first, second = approved(session, staff, 2)
    sent_batch(session, staff)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(REPLY_HEADER)
    sheet.append([first.worker.nik, kpj(1), "diterima", None, START])  # a real Excel date
    sheet.append([second.worker.nik, None, "DITOLAK", "Dokumen tidak terbaca", None])
    path = tmp_path / "balasan.xlsx"
    workbook.save(path)
    result = import_reply(session, staff, path.read_bytes(), file_name=path.name)
    assert result.applied, result.run.error_report
    assert (_fresh(session, first).coverage_start, _fresh(session, second).state) == (
        START, "bpjs_rejected")


def test_cli_import_response_applies_or_names_the_first_problems(app, session, staff,
                                                                 tmp_path):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    sent_batch(session, staff)
    session.commit()
    runner = app.test_cli_runner()
    bad = tmp_path / "balasan-salah.csv"
    bad.write_bytes(reply_bytes([accepted(first, 1), [second.worker.nik, "12-345", "DITERIMA",
                                                      "", START.isoformat()]]))
    refused = runner.invoke(args=["bpjs", "import-response", str(bad), "--as", "cw1"])
    assert refused.exit_code == 1 and "row 3, kpj [12-345]" in refused.output
    assert _fresh(session, first).state == "submitted_to_bpjs"
    good = tmp_path / "balasan.csv"
    good.write_bytes(reply_bytes([accepted(first, 1), rejected(second)]))
    result = runner.invoke(args=["bpjs", "import-response", str(good), "--as", "cw2"])
    assert result.exit_code == 0, result.output
    assert "1 enrolled, 1 rejected by BPJS" in result.output
    again = runner.invoke(args=["bpjs", "import-response", str(good), "--as", "cw2"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert (_fresh(session, first).state, _fresh(session, second).state) == (
        "enrolled", "bpjs_rejected")
    head = runner.invoke(args=["bpjs", "import-response", str(good), "--as", "head"])
    assert head.exit_code == 1
