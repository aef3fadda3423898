"""A large BPJS reply (300 rows: accepted, refused, restated and problem rows) leaves
exactly the state and the audit events that applying it row by row through the verbs
left: every transition, ledger row and event is named here in order, the waiting list
moves up at the rejections that free a place, and the chain verifies afterwards."""
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from models import (Application, ApplicationTransition, AuditEvent, BudgetLedger, BudgetYear,
                    Decree)
from tests.bpjs_factories import (SK_DAY, START, YEAR, approved, budget, import_reply, kpj,
                                  problems, reply_bytes, sent_batch)
from tests.factories import add_documents, load_dtsen, make_application
from workflows.approval import approve_batch
from workflows.audit import verify_chain
from workflows.audit.masking import mask
from workflows.bpjs.enrolment import Answer, CaseRefused, answer_cases
from workflows.errors import NotAllowed
from workflows.verification import submit_application, verify_application

CASES, RESERVES = 300, 8
EARLIER = 35  # cases 0-29 accepted and 30-34 refused by an earlier reply
PREMIUM, SK_MONTHS = 16_800, 6  # an SK of 1 July commits July to December
COMMITTED = PREMIUM * SK_MONTHS
SK_NUMBER = "SK-BALASAN-BESAR"
ORDER = sorted(range(CASES), key=lambda k: k * 37 % CASES)  # the reply's rows, shuffled
UNKNOWN_NIK = "3275011508900999"


def _born(i: int) -> date:
    return date(1975 + i % 30, 1 + i // 30 % 12, 1 + i % 28)  # no two alike: no duplicates


def _world(session, staff, cases: int = CASES):
    """``cases`` approved and sent in one batch, RESERVES on the SK's waiting list;
    returns the sent cases by id, the reserves in rank order, and the decree."""
    budget(session, staff, places=cases)
    made = [make_application(session, staff["cw1"], year=YEAR, birth_date=_born(i),
                             full_name=f"Peserta Balasan {i}", kk_number=f"32750177{i:08d}",
                             nik=f"327501{_born(i):%d%m%y}{i:04d}")
            for i in range(1, cases + RESERVES + 1)]
    for application in made:
        add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(a.worker, 1 + a.id % 4) for a in made])
    for application in made:
        submit_application(session, application, actor=staff["cw1"])
        verify_application(session, application, actor=staff["cw2"])
    decree = approve_batch(session, fiscal_year=YEAR, application_ids=[a.id for a in made],
                           sk_number=SK_NUMBER, sk_date=SK_DAY, actor=staff["head"])
    sent_batch(session, staff)
    sent = session.execute(select(Application).where(
        Application.state == "submitted_to_bpjs").order_by(Application.id)).scalars().all()
    waitlisted = session.execute(select(AuditEvent.entity_id, AuditEvent.diff).where(
        AuditEvent.action == "application.waitlist")).all()
    reserves = [int(i) for i, diff in sorted(waitlisted,
                                             key=lambda e: json.loads(e.diff)["rank"][1])]
    assert len(sent) == cases and len(reserves) == RESERVES
    return sent, reserves, decree


def _answer(k: int):
    """What BPJS says about the k-th sent case: ("DITERIMA", start) or ("DITOLAK", reason)."""
    if k < EARLIER:
        return ("DITERIMA", START) if k < 30 else ("DITOLAK", "Dokumen tidak terbaca")
    if k % 11 == 0:
        return "DITOLAK", f"Terdaftar sebagai peserta PU ({k})"
    if k % 50 == 1:
        return "DITERIMA", date(YEAR + 1, 1, 1)  # nothing of the year covered: all released
    return "DITERIMA", date(YEAR, 9, 1) if k % 5 == 0 else START


def _row(sent, k: int) -> list[str]:
    status, detail = _answer(k)
    nik = sent[k].worker.nik
    if status == "DITOLAK":
        return [nik, "", status, detail, ""]
    return [nik, kpj(k + 1), status, "", detail.isoformat()]


def _after(session, model, order, floor):
    return session.execute(select(model).where(order > floor).order_by(order)).scalars().all()


def _marks(session) -> tuple[int, int, int]:
    """The last audit seq, ledger id and transition id: what came later is this reply's."""
    return (session.scalar(select(func.max(AuditEvent.seq))),
            session.scalar(select(func.max(BudgetLedger.id))),
            session.scalar(select(func.max(ApplicationTransition.id))))


def _expected(sent, reserves: list[int], decree_id: int, cw_id: int):
    """Events, ledger rows and transitions the reply writes, in the order the row-by-row
    verbs wrote them: per row its transition (and for a refusal the release and the
    promotion of the next reserve), then the KPJs, then the run."""
    events, ledger, steps, memberships = [], [], [], []
    waiting = list(reserves)
    for k in ORDER:
        if k < EARLIER:
            continue
        status, detail = _answer(k)
        case = sent[k].id
        if status == "DITOLAK":
            events += [("application.bpjs_reject", "application", case, "cw1", detail,
                        {"state": ["submitted_to_bpjs", "bpjs_rejected"]}),
                       ("budget.release", "application", case, "cw1", f"Ditolak BPJS: {detail}",
                        {"released": [None, COMMITTED], "months": [None, 12]})]
            ledger.append((case, "release", -COMMITTED, -1, 12, f"Ditolak BPJS: {detail}"))
            steps.append((case, "submitted_to_bpjs", "bpjs_rejected", detail, cw_id))
            if waiting:
                reserve, trigger = waiting.pop(0), f"Tempat kosong dari permohonan #{case}"
                reason = f"{trigger}; SK {SK_NUMBER}, cadangan peringkat 1"
                events.append(("application.approve", "application", reserve, "system:waitlist",
                               reason, {"state": ["waitlisted", "approved"]}))
                ledger.append((reserve, "commit", COMMITTED, 1, SK_MONTHS, trigger))
                steps.append((reserve, "waitlisted", "approved", reason, None))
            continue
        released = SK_MONTHS - min(SK_MONTHS, 12 - detail.month + 1 if detail.year == YEAR
                                   else 0)
        events.append(("application.enrol", "application", case, "cw1", None,
                       {"state": ["submitted_to_bpjs", "enrolled"]}))
        ledger.append((case, "release", -PREMIUM * released, 0, released,
                       f"Cakupan BPJS mulai {detail:%Y-%m}: {released} bulan {YEAR} tidak "
                       "terpakai"))
        steps.append((case, "submitted_to_bpjs", "enrolled", None, cw_id))
        memberships.append(("bpjs.membership", "application", case, "cw1", None, {
            "kpj": [None, mask(kpj(k + 1))], "coverage_start": [None, detail.isoformat()],
            "commitment": [COMMITTED, COMMITTED - PREMIUM * released]}))
    ledger = [(case, kind, amount, places, months, reason, decree_id)
              for case, kind, amount, places, months, reason in ledger]
    return events + memberships, ledger, steps, waiting


def test_a_large_reply_writes_what_the_row_by_row_verbs_wrote(session, staff):
    sent, reserves, decree = _world(session, staff)
    earlier = import_reply(session, staff, reply_bytes([_row(sent, k) for k in range(EARLIER)]))
    assert earlier.applied and (earlier.enrolled, earlier.refused_by_bpjs) == (30, 5)
    # Its five refusals gave five places to the first five reserves.
    assert [session.get(Application, r).state for r in reserves] == ["approved"] * 5 + [
        "waitlisted"] * 3
    rows = [_row(sent, k) for k in ORDER]
    seq, ledger_id, step_id = _marks(session)

    # A file with problem rows changes nothing and names each of them.
    bad = [list(r) for r in rows]
    at = {k: ORDER.index(k) for k in (0, 30, 40, 41)}
    bad[at[0]][1] = kpj(999)  # restates an enrolment with another KPJ
    bad[at[30]] = [sent[30].worker.nik, kpj(998), "DITERIMA", "", START.isoformat()]
    first, later = sorted((at[40], at[41]))
    bad[later][1] = bad[first][1]  # two rows, one KPJ
    bad.append([UNKNOWN_NIK, kpj(997), "DITERIMA", "", START.isoformat()])
    refused = import_reply(session, staff, reply_bytes(bad), file_name="balasan-salah.csv")
    assert refused.rejected
    found = [(int(p["baris"]), p["kolom"], p["pesan"]) for p in problems(refused.run)]
    expected = sorted([(at[0] + 2, "kpj", "KPJ mismatch"),
                       (at[30] + 2, "nik", "BPJS rejected this application earlier"),
                       (later + 2, "kpj", f"is also given to row {first + 2}"),
                       (CASES + 2, "nik", "No batch sent to BPJS holds this NIK")])
    assert [(row, column) for row, column, _ in found] == [e[:2] for e in expected], found
    for (_, _, message), (_, _, fragment) in zip(found, expected):
        assert fragment in message
    assert [e.action for e in _after(session, AuditEvent, AuditEvent.seq, seq)] == [
        "import.rejected"]
    assert _after(session, BudgetLedger, BudgetLedger.id, ledger_id) == []
    assert _after(session, ApplicationTransition, ApplicationTransition.id, step_id) == []
    seq += 1

    year = session.get(BudgetYear, YEAR)
    committed, places = year.committed, year.places_used
    result = import_reply(session, staff, reply_bytes(rows))
    assert result.applied and not result.duplicate_file, result.run.error_report
    new_refusals = sum(1 for k in range(EARLIER, CASES) if _answer(k)[0] == "DITOLAK")
    assert (result.enrolled, result.refused_by_bpjs, result.unchanged) == (
        CASES - EARLIER - new_refusals, new_refusals, EARLIER)
    assert result.batch_number == f"SG-{YEAR}-0001"

    events, ledger, steps, still_waiting = _expected(sent, reserves[5:], decree.id,
                                                     staff["cw1"].user_id)
    written = _after(session, AuditEvent, AuditEvent.seq, seq)
    assert [(e.action, e.entity_type, int(e.entity_id), e.actor_name, e.reason,
             json.loads(e.diff)) for e in written[:-1]] == events
    assert (written[-1].action, written[-1].entity_id) == ("import.applied",
                                                           str(result.run.id))
    assert [(r.application_id, r.kind, r.amount, r.places, r.months, r.reason, r.decree_id)
            for r in _after(session, BudgetLedger, BudgetLedger.id, ledger_id)] == ledger
    assert [(s.application_id, s.from_state, s.to_state, s.reason, s.actor_id)
            for s in _after(session, ApplicationTransition, ApplicationTransition.id,
                            step_id)] == steps
    assert {e.actor_id for e in written if e.actor_name == "cw1"} == {staff["cw1"].user_id}

    session.expire_all()
    for k, case in enumerate(sent):
        status, detail = _answer(k)
        case = session.get(Application, case.id)
        if status == "DITOLAK":
            assert (case.state, case.kpj, case.commitment) == ("bpjs_rejected", None, 0)
        else:
            assert (case.state, case.kpj, case.coverage_start) == ("enrolled", kpj(k + 1),
                                                                   detail)
            assert case.commitment == PREMIUM * (12 - detail.month + 1 if detail.year == YEAR
                                                 else 0)
    for reserve in reserves:
        case = session.get(Application, reserve)
        expected_state = "waitlisted" if reserve in still_waiting else "approved"
        assert (case.state, case.decree_id) == (expected_state, decree.id)
        assert case.commitment == (None if reserve in still_waiting else COMMITTED)
    year = session.get(BudgetYear, YEAR)
    assert year.committed == committed + sum(r[2] for r in ledger) == session.scalar(
        select(func.sum(BudgetLedger.amount)).where(BudgetLedger.fiscal_year == YEAR))
    assert year.places_used == places - new_refusals + (RESERVES - 5 - len(still_waiting))
    assert session.get(Decree, decree.id).status == "signed"
    assert verify_chain(session).ok

    # The same file again is that run; the same rows in another file change nothing.
    head = session.scalar(select(func.max(AuditEvent.seq)))
    again = import_reply(session, staff, reply_bytes(rows), user="cw2")
    assert again.duplicate_file and again.run.id == result.run.id
    restated = import_reply(session, staff, reply_bytes(rows) + b"\n")
    assert restated.applied and (restated.enrolled, restated.refused_by_bpjs,
                                 restated.unchanged) == (0, 0, CASES)
    assert [e.action for e in _after(session, AuditEvent, AuditEvent.seq, head)] == [
        "import.applied"]
    assert verify_chain(session).ok


def test_a_reply_of_refusals_only_moves_the_waiting_list_once_per_place(session, staff):
    """No enrolment: each refusal frees one place, taken by the next reserve in rank."""
    sent, reserves, decree = _world(session, staff, cases=20)
    refused = range(3, 3 + RESERVES + 2)  # more refusals than reserves
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    result = import_reply(session, staff, reply_bytes([
        [sent[k].worker.nik, "", "DITOLAK", f"Ditolak {k}", ""] for k in refused]))
    assert result.applied and (result.enrolled, result.refused_by_bpjs) == (0, len(refused))
    approvals = [(int(e.entity_id), e.reason) for e in _after(session, AuditEvent,
                                                              AuditEvent.seq, seq)
                 if e.action == "application.approve"]
    assert approvals == [(reserve, f"Tempat kosong dari permohonan #{sent[k].id}; "
                                   f"SK {SK_NUMBER}, cadangan peringkat 1")
                         for reserve, k in zip(reserves, refused)]
    session.expire_all()
    assert {session.get(Application, r).state for r in reserves} == {"approved"}
    assert session.get(BudgetYear, YEAR).places_used == 20 - 2
    assert verify_chain(session).ok


def test_answers_that_no_longer_fit_their_case_are_refused_by_name_before_any_write(
        session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    sent_batch(session, staff)
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    with pytest.raises(NotAllowed):
        answer_cases(session, [Answer(first.id, True, kpj(1), START)], actor=staff["head"])
    with pytest.raises(CaseRefused) as refused:  # the states table wants a reason
        answer_cases(session, [Answer(first.id, True, kpj(1), START),
                               Answer(second.id, False, reason=" ")], actor=staff["cw1"])
    assert refused.value.application_id == second.id
    assert "reason is required" in str(refused.value.message)
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq
    answer_cases(session, [Answer(first.id, True, kpj(1), START)], actor=staff["cw1"])
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    with pytest.raises(CaseRefused) as refused:  # enrolled meanwhile
        answer_cases(session, [Answer(second.id, False, reason="Data ganda"),
                               Answer(first.id, True, kpj(1), START)], actor=staff["cw1"])
    assert refused.value.application_id == first.id
    assert f"Application {first.id} is Enrolled" in str(refused.value.message)
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq
    session.expire_all()
    assert (session.get(Application, first.id).state,
            session.get(Application, second.id).state) == ("enrolled", "submitted_to_bpjs")
