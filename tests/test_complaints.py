"""Complaints and objections (issue 15): who files and answers, the audit events with
the NIK masked, the 14-day deadline across month, year and leap-day boundaries, and the
counts per period the city reports use."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import Complaint, clock
from reports.complaints import complaint_counts, complaint_list, open_and_overdue
from tests.factories import make_application
from tests.helpers import events_since, head_seq
from tests.test_partners import ELSEWHERE, HOME, make_partner
from workflows.complaints import answer_complaint, close_complaint, due_day, file_complaint
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.partners import scope_filter, scope_for

NIK = "3275014108900012"  # Bekasi Timur, a woman born 1 Aug 1990


def _file(session, actor, **fields):
    values = dict(kind="pengaduan", complainant_name="Ibu Sari", contact="081234567890",
                  kelurahan_code=HOME, text="Tidak masuk daftar padahal desil 2.", actor=actor)
    values.update(fields)
    return file_complaint(session, **values)


def test_a_caseworker_files_a_complaint_with_its_deadline_and_masked_nik(session, staff):
    seq = head_seq(session)
    complaint = _file(session, staff["cw1"], nik=NIK)
    assert complaint.number == f"PGD-{clock.today().year}-00001"
    assert complaint.received_on == clock.today() and complaint.status == "open"
    assert complaint.due_on == date(2026, 7, 24)  # FIXTURE_DAY 10 July + 14 days
    objection = _file(session, staff["cw1"], kind="sanggahan")
    assert objection.number == "SGH-2026-00001"
    [event] = [e for e in events_since(session, seq) if e.entity_id == str(complaint.id)]
    assert event.action == "complaint.file" and event.actor_id == staff["cw1"].user_id
    assert NIK not in event.diff and "Ibu Sari" not in event.diff
    assert json.loads(event.diff)["nik"][1].startswith("hmac:")


@pytest.mark.parametrize("nik", ["3275010000000000", "9975010108900001", "327501010890001",
                                 "3275010108900000"])
def test_a_nik_given_must_be_a_valid_nik(session, staff, nik):
    with pytest.raises(InvalidInput):
        _file(session, staff["cw1"], nik=nik)


def test_required_fields_and_future_receipt_are_refused(session, staff):
    for fields in ({"kind": "protes"}, {"complainant_name": " "}, {"contact": ""},
                   {"text": ""}, {"kelurahan_code": "3275999999"},
                   {"received_on": date(2026, 7, 11)}, {"application_id": 999_999}):
        with pytest.raises(InvalidInput):
            _file(session, staff["cw1"], **fields)
    assert session.scalar(select(Complaint.id)) is None


def test_who_files_a_complaint(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    assert _file(session, partner).filed_by_id == partner.user_id
    with pytest.raises(NotAllowed):  # outside its kelurahan
        _file(session, partner, kelurahan_code=ELSEWHERE)
    far_case = make_application(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    with pytest.raises(InvalidInput):  # a case it cannot see is not linked either
        _file(session, partner, application_id=far_case.id)
    for role in ("head", "audit1", "admin1"):
        with pytest.raises(NotAllowed):
            _file(session, staff[role])


def test_only_a_caseworker_answers_and_closes_once(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    complaint = _file(session, partner)
    for role in ("head", "audit1", "admin1"):
        with pytest.raises(NotAllowed):
            answer_complaint(session, complaint, answer="Sudah diperiksa.", actor=staff[role])
    with pytest.raises(NotAllowed):
        answer_complaint(session, complaint, answer="Sudah diperiksa.", actor=partner)
    with pytest.raises(InvalidInput):
        close_complaint(session, complaint, actor=staff["cw2"])  # not answered yet
    with pytest.raises(InvalidInput):
        answer_complaint(session, complaint, answer="  ", actor=staff["cw2"])
    seq = head_seq(session)
    answer_complaint(session, complaint, answer="Diusulkan pada periode berikut.",
                     actor=staff["cw2"])
    assert (complaint.status, complaint.answered_by_id, complaint.answered_on) == (
        "answered", staff["cw2"].user_id, clock.today())
    with pytest.raises(Repeated):  # the second click
        answer_complaint(session, complaint, answer="Jawaban lain", actor=staff["cw2"])
    assert complaint.answer == "Diusulkan pada periode berikut."
    close_complaint(session, complaint, actor=staff["cw2"])
    with pytest.raises(Repeated):
        close_complaint(session, complaint, actor=staff["cw2"])
    actions = [e.action for e in events_since(session, seq) if e.entity_type == "complaint"]
    assert actions == ["complaint.answer", "complaint.close"]


@pytest.mark.calendar
@pytest.mark.parametrize("received, due", [
    (date(2026, 12, 31), date(2027, 1, 14)),   # across the year
    (date(2026, 12, 18), date(2027, 1, 1)),    # due on 1 January
    (date(2028, 2, 29), date(2028, 3, 14)),    # from a leap day
    (date(2028, 2, 15), date(2028, 2, 29)),    # due on a leap day
    (date(2027, 2, 15), date(2027, 3, 1)),     # February without a leap day
    (date(2026, 1, 1), date(2026, 1, 15)),
])
def test_the_deadline_is_14_days_across_months_and_years(session, staff, received, due):
    assert due_day(received) == due
    with clock.pinned(received):
        complaint = _file(session, staff["cw1"])
        assert complaint.due_on == due and complaint.number.startswith(
            f"PGD-{received.year}-")
    with clock.pinned(due):  # answered on the due day: in time
        assert not complaint.is_overdue(clock.today()) and complaint.days_left(due) == 0
        answer_complaint(session, complaint, answer="Dijawab tepat waktu.", actor=staff["cw2"])
    counts = complaint_counts(session, received, received, today=due)
    assert (counts.received, counts.answered_in_time, counts.answered_late) == (1, 1, 0)


@pytest.mark.calendar
def test_overdue_starts_the_day_after_the_due_day(session, staff):
    with clock.pinned(date(2026, 12, 31)):
        complaint = _file(session, staff["cw1"])
    for day, overdue, left in ((date(2027, 1, 14), False, 0), (date(2027, 1, 15), True, -1)):
        assert complaint.is_overdue(day) is overdue and complaint.days_left(day) == left
        assert open_and_overdue(session, day) == (1, int(overdue))
        shown = [r.complaint.id for r in complaint_list(session, "overdue", today=day)]
        assert shown == ([complaint.id] if overdue else [])
    with clock.pinned(date(2027, 1, 15)):
        answer_complaint(session, complaint, answer="Terlambat sehari.", actor=staff["cw2"])
    counts = complaint_counts(session, date(2026, 12, 1), date(2026, 12, 31),
                              today=date(2027, 1, 20))
    assert (counts.received, counts.answered_in_time, counts.answered_late) == (1, 0, 1)


@pytest.mark.day(date(2026, 3, 31))
def test_counts_per_period(session, staff):
    """Received in March: one answered in time, one late, one open and overdue, one open
    within its deadline; one from February and one from April stay out."""
    def filed(day, answered=None):
        complaint = _file(session, staff["cw1"], received_on=day)
        if answered is not None:
            with clock.pinned(answered):
                answer_complaint(session, complaint, answer="Dijawab.", actor=staff["cw2"])
        return complaint

    filed(date(2026, 2, 28))
    filed(date(2026, 3, 1), answered=date(2026, 3, 15))   # the last day in time
    filed(date(2026, 3, 2), answered=date(2026, 3, 17))   # a day late
    filed(date(2026, 3, 10))                              # due 24 March: overdue
    filed(date(2026, 3, 31))                              # due 14 April
    counts = complaint_counts(session, date(2026, 3, 1), date(2026, 3, 31),
                              today=date(2026, 3, 31))
    assert (counts.received, counts.answered_in_time, counts.answered_late, counts.still_open,
            counts.overdue) == (4, 1, 1, 2, 1)
    assert complaint_counts(session, date(2026, 2, 1), date(2026, 2, 28),
                            today=date(2026, 3, 31)).overdue == 1
    assert complaint_counts(session, date(2026, 4, 1), date(2026, 4, 30),
                            today=date(2026, 3, 31)).received == 0


def test_counts_and_lists_follow_a_partners_scope(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    mine = _file(session, partner)
    _file(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    limit = scope_filter(scope_for(session, partner), Complaint)
    assert [r.complaint.id for r in complaint_list(session, "all", today=clock.today(),
                                                    within=limit)] == [mine.id]
    assert complaint_counts(session, clock.today(), clock.today(), today=clock.today(),
                            within=limit).received == 1
    assert complaint_counts(session, clock.today(), clock.today(),
                            today=clock.today()).received == 2
