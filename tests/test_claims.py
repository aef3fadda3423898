"""The claims desk's verbs: recording a JKK accident or a JKM death inside covered
membership, the 2 x 24 hour reporting rule, the claim's own steps to BPJS and back,
and its documents checked like a case's."""
import json
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Claim, ClaimDocument, ContributionMonth
from tests.claim_factories import (attach_required, died, jkk_claim, jkm_claim, member, wib)
from tests.factories import DOCUMENT_DIR, png_bytes
from tests.helpers import events_since, head_seq
from tests.subject_factories import make_request
from workflows.claims import (read_claim_document, record_payout, record_rejection,
                              store_claim_document, submit_claim)
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed, Repeated
from workflows.subject_requests import resolve_request
from workflows.restrictions import processing_restricted

DIED_ON = date(2026, 5, 20)


def _actions(session, seq):
    return [e.action for e in events_since(session, seq)]


def test_a_caseworker_records_a_jkm_claim_for_a_recorded_death(session, staff):
    application = died(session, staff, member(session, staff), DIED_ON)
    seq = head_seq(session)
    claim = jkm_claim(session, staff, application, DIED_ON)
    assert (claim.state, claim.kind, claim.event_date) == ("dicatat", "jkm", DIED_ON)
    assert claim.claim_number == "KLAIM-2026-0001"
    assert not claim.reported_late
    (event,) = events_since(session, seq)
    assert (event.action, event.entity_type, event.entity_id) == ("claim.record", "claim",
                                                                  str(claim.id))
    # The heir is personal data: masked in the diff, never in clear.
    assert json.loads(event.diff)["heir_name"][1].startswith("hmac:")
    assert "Siti Aminah" not in str(event.diff)


def test_a_second_jkm_claim_for_the_same_death_is_refused(session, staff):
    application = died(session, staff, member(session, staff), DIED_ON)
    jkm_claim(session, staff, application, DIED_ON)
    with pytest.raises(Repeated, match="KLAIM-2026-0001"):
        jkm_claim(session, staff, application, DIED_ON)


@pytest.mark.parametrize("user", ["head", "audit1", "admin1"])
def test_only_caseworkers_record_claims(session, staff, user):
    application = died(session, staff, member(session, staff), DIED_ON)
    seq = head_seq(session)
    with pytest.raises(NotAllowed):
        jkm_claim(session, staff, application, DIED_ON, actor=staff[user])
    assert session.scalar(select(Claim.id)) is None
    assert _actions(session, seq) == []


def test_jkm_without_a_recorded_death_is_refused_pointing_to_the_case_page(session, staff):
    application = member(session, staff)
    with pytest.raises(InvalidTransition, match="end membership: death"):
        jkm_claim(session, staff, application, DIED_ON)
    assert session.scalar(select(Claim.id)) is None


def test_jkm_on_a_membership_ended_for_another_reason_is_refused(session, staff):
    from workflows.exits import terminate_membership
    application = member(session, staff)
    terminate_membership(session, application, reason_code="pindah_domisili",
                         effective_month=date(2026, 6, 1), note="", actor=staff["cw1"])
    with pytest.raises(InvalidTransition, match="end membership: death"):
        jkm_claim(session, staff, application, DIED_ON)


@pytest.mark.parametrize("day,message", [
    (date(2026, 1, 31), "before the cover started"),     # coverage from 1 February
    (date(2026, 7, 11), "future"),                        # the fixture day is 10 July
])
def test_an_event_outside_cover_is_refused(session, staff, day, message):
    application = member(session, staff)
    with pytest.raises(InvalidInput, match=message):
        jkk_claim(session, staff, application, day, reported_at=None)


def test_an_event_after_an_exit_is_refused_and_the_month_before_is_covered(session, staff):
    from workflows.exits import terminate_membership
    application = member(session, staff)
    terminate_membership(session, application, reason_code="pindah_domisili",
                         effective_month=date(2026, 5, 1), note="", actor=staff["cw1"])
    with pytest.raises(InvalidInput, match="after the membership ended"):
        jkk_claim(session, staff, application, date(2026, 5, 1))
    claim = jkk_claim(session, staff, application, date(2026, 4, 30))
    assert claim.state == "dicatat"


def test_a_month_in_arrears_is_not_covered(session, staff):
    application = member(session, staff)
    session.add(ContributionMonth(application_id=application.id, month=date(2026, 3, 1),
                                  amount=16_800, status="arrears"))
    session.flush()
    with pytest.raises(InvalidInput, match="arrears"):
        jkk_claim(session, staff, application, date(2026, 3, 14))


def test_cover_ends_on_the_day_of_death_and_jkm_is_for_that_day(session, staff):
    application = died(session, staff, member(session, staff), date(2026, 6, 30))
    assert application.exit_month == date(2026, 7, 1)
    with pytest.raises(InvalidInput, match="2026-06-30"):
        jkm_claim(session, staff, application, date(2026, 6, 29))
    with pytest.raises(InvalidInput, match="after the membership ended"):
        jkk_claim(session, staff, application, date(2026, 7, 1))
    assert jkm_claim(session, staff, application, date(2026, 6, 30)).state == "dicatat"
    # The accident that killed the participant on the day: JKK is claimable too.
    assert jkk_claim(session, staff, application, date(2026, 6, 30)).kind == "jkk"


@pytest.mark.parametrize("hours,minutes,late", [(48, 0, False), (48, 1, True), (2, 0, False)])
def test_a_jkk_report_later_than_2x24_hours_is_flagged_with_its_reason(session, staff, hours,
                                                                       minutes, late):
    application = member(session, staff)
    day, at = date(2026, 6, 1), time(22, 30)
    reported = wib(day, 22, 30) + timedelta(hours=hours, minutes=minutes)
    if late:
        with pytest.raises(InvalidInput, match="2 x 24"):
            jkk_claim(session, staff, application, day, at, reported_at=reported)
    claim = jkk_claim(session, staff, application, day, at, reported_at=reported,
                      late_reason="Korban dirawat di RS, keluarga baru melapor" if late
                      else None)
    assert claim.reported_late is late
    assert (claim.late_reason is not None) is late
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "claim.record")
                            ).scalar_one()
    assert (event.reason == "Dilaporkan lewat 2x24 jam") is late
    assert "dirawat" not in str(event.diff)


def test_a_worker_who_restricted_processing_and_died_covered_is_still_claimable(session,
                                                                                staff):
    application = member(session, staff)
    request = make_request(session, staff["cw1"], application.worker, kind="restriction")
    resolve_request(session, request, outcome="fulfilled", note="", actor=staff["cw1"])
    application = died(session, staff, application, DIED_ON)
    assert processing_restricted(session, application.worker)
    claim = jkm_claim(session, staff, application, DIED_ON)
    attach_required(session, staff, claim)
    submit_claim(session, claim, actor=staff["cw1"])
    record_payout(session, claim, amount=42_000_000, paid_on=date(2026, 7, 1),
                  reference="BPJS-JKM-0001", actor=staff["cw2"])
    assert claim.state == "dibayar"


def test_the_steps_to_bpjs_and_back_and_a_second_click(session, staff):
    application = died(session, staff, member(session, staff), DIED_ON)
    claim = jkm_claim(session, staff, application, DIED_ON)
    with pytest.raises(InvalidTransition, match="Dokumen|Documents"):
        submit_claim(session, claim, actor=staff["cw1"])
    attach_required(session, staff, claim)
    with pytest.raises(NotAllowed):
        submit_claim(session, claim, actor=staff["head"])
    with pytest.raises(InvalidTransition):
        record_payout(session, claim, amount=1, paid_on=date(2026, 7, 1), reference="X",
                      actor=staff["cw1"])
    seq = head_seq(session)
    submit_claim(session, claim, actor=staff["cw1"])
    assert claim.state == "diajukan" and claim.submitted_by_id == staff["cw1"].user_id
    with pytest.raises(Repeated):
        submit_claim(session, claim, actor=staff["cw2"])
    for bad in ({"amount": 0}, {"reference": " "}, {"paid_on": date(2026, 5, 1)},
                {"paid_on": date(2026, 7, 11)}):
        values = {"amount": 42_000_000, "paid_on": date(2026, 7, 1),
                  "reference": "BPJS-JKM-0001", **bad}
        with pytest.raises(InvalidInput):
            record_payout(session, claim, **values, actor=staff["cw1"])
    record_payout(session, claim, amount=42_000_000, paid_on=date(2026, 7, 1),
                  reference="BPJS-JKM-0001", actor=staff["cw1"])
    with pytest.raises(Repeated):
        record_payout(session, claim, amount=42_000_000, paid_on=date(2026, 7, 1),
                      reference="BPJS-JKM-0001", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        record_rejection(session, claim, reason="Terlambat", actor=staff["cw1"])
    assert _actions(session, seq) == ["claim.submit", "claim.pay"]
    paid = session.get(Claim, claim.id)
    assert (paid.payout_amount, paid.payout_date, paid.bpjs_reference) == (
        42_000_000, date(2026, 7, 1), "BPJS-JKM-0001")


def test_a_refused_claim_keeps_the_reason_and_may_be_recorded_again(session, staff):
    application = member(session, staff)
    claim = jkk_claim(session, staff, application, date(2026, 6, 2))
    attach_required(session, staff, claim)
    submit_claim(session, claim, actor=staff["cw1"])
    with pytest.raises(InvalidInput):
        record_rejection(session, claim, reason=" ", actor=staff["cw1"])
    seq = head_seq(session)
    record_rejection(session, claim, reason="Bukan kecelakaan kerja", actor=staff["cw1"])
    (event,) = events_since(session, seq)
    assert (event.action, event.reason) == ("claim.reject", "Bukan kecelakaan kerja")
    again = jkk_claim(session, staff, application, date(2026, 6, 2))
    assert again.claim_number == "KLAIM-2026-0002"


def test_documents_are_checked_by_content_and_read_back_audited(session, staff):
    application = member(session, staff)
    claim = jkk_claim(session, staff, application, date(2026, 6, 2))
    forged = b"<html><script>alert(1)</script></html>"
    for data in (forged, b"%PDF-1.4 not really", b"GIF89a" + b"\0" * 40):
        with pytest.raises(InvalidInput):
            store_claim_document(session, claim, kind="laporan_kecelakaan",
                                 original_name="kronologi.pdf", data=data,
                                 storage_dir=DOCUMENT_DIR, actor=staff["cw1"])
    assert session.scalar(select(ClaimDocument.id)) is None
    with pytest.raises(NotAllowed):
        store_claim_document(session, claim, kind="kartu_kpj", original_name="kpj.png",
                             data=png_bytes(), storage_dir=DOCUMENT_DIR, actor=staff["audit1"])
    document = store_claim_document(session, claim, kind="kartu_kpj", original_name="kpj.png",
                                    data=png_bytes(), storage_dir=DOCUMENT_DIR,
                                    actor=staff["cw1"])
    assert document.content_type == "image/png"
    seq = head_seq(session)
    assert read_claim_document(session, document, storage_dir=DOCUMENT_DIR,
                               actor=staff["audit1"]) == png_bytes()
    assert _actions(session, seq) == ["claim.document_read"]
    with pytest.raises(NotAllowed):
        read_claim_document(session, document, storage_dir=DOCUMENT_DIR, actor=staff["admin1"])


@pytest.mark.parametrize("day,event,refusal", [
    # the last day of the programme year: the next year's day is still to come
    (date(2026, 12, 31), date(2026, 12, 31), "future"),
    # recorded on New Year's day or later: the old year's accident, the new year's number
    (date(2027, 1, 1), date(2026, 12, 31), "programme year"),
    (date(2028, 2, 29), date(2026, 12, 31), "programme year"),
])
def test_year_boundaries(session, staff, day, event, refusal):
    from models import clock
    application = member(session, staff)
    with clock.pinned(day):
        claim = jkk_claim(session, staff, application, event, time(7, 0),
                          reported_at=wib(event, 8, 0))
        assert claim.claim_number == f"KLAIM-{day.year}-0001"
        with pytest.raises(InvalidInput, match=refusal):
            jkk_claim(session, staff, application, date(2027, 1, 1), time(7, 0),
                      reported_at=wib(date(2027, 1, 1), 8, 0))
