"""Submission guards, eligibility snapshots, duplicates and verification."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import AuditEvent, DuplicateFlag, EligibilityEvaluation, PolicyVersion
from reports.evaluations import latest_evaluation
from tests.factories import (add_documents, load_dtsen, make_application, make_submitted,
                             make_worker)
from workflows.duplicates import open_flags, resolve_duplicate
from workflows.eligibility import reevaluate_application
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports.datasets import import_participants
from workflows.intake import open_application
from workflows.verification import submit_application, verify_application


def _rules(evaluation) -> dict:
    return {r["rule"]: r for r in json.loads(evaluation.results)["rules"]}


def _events(session, action, entity_id):
    return session.execute(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity_id == str(entity_id))).scalars().all()


def test_submit_needs_every_required_document(session, staff):
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"], skip=("kk",))
    with pytest.raises(InvalidTransition) as refused:
        submit_application(session, application, actor=staff["cw1"])
    assert "Kartu Keluarga" in str(refused.value.message)
    assert application.state == "draft"


def test_submission_evaluates_eligibility_as_a_snapshot(session, staff):
    application = make_submitted(session, staff["cw1"], desil=3)
    evaluation = latest_evaluation(session, application)
    assert evaluation.eligible
    rules = _rules(evaluation)
    assert rules["desil"]["value"] == 3 and rules["desil"]["expected"] == 5
    assert rules["income"]["expected"] == 5_999_443  # UMK 2026, the policy leaves the cap empty
    assert rules["data_aktual"]["value"]["found"] is True
    assert evaluation.dtsen_dataset_id is not None
    event = _events(session, "eligibility.evaluate", application.id)[-1]
    assert json.loads(event.diff)["eligible"] == [None, True]


@pytest.mark.parametrize("fields,desil,failed", [
    ({"monthly_income": 6_500_000}, 3, "income"),
    ({"birth_date": date(1950, 8, 1), "nik": "3275010108500001"}, 3, "age"),
    ({}, 7, "desil"),
    ({}, None, "data_aktual"),
])
def test_each_policy_rule_can_fail(session, staff, fields, desil, failed):
    application = make_submitted(session, staff["cw1"], desil=desil, **fields)
    evaluation = latest_evaluation(session, application)
    assert not evaluation.eligible
    assert [r for r, v in _rules(evaluation).items() if not v["passed"]] == (
        [failed] if failed != "data_aktual" else ["data_aktual", "desil"])
    with pytest.raises(InvalidTransition):
        verify_application(session, application, actor=staff["cw2"])


def test_category_outside_the_policy_fails(session, staff):
    policy = session.execute(select(PolicyVersion)).scalar_one()
    policy.categories = "pedagang,pekerja_lepas"
    application = make_submitted(session, staff["cw1"], category="wiraswasta")
    assert _rules(latest_evaluation(session, application))["category"]["passed"] is False


def test_someone_paid_by_another_payer_fails(session, staff):
    worker = make_worker(session, staff["cw1"])
    data = f"nik,nama,sumber\n{worker.nik},{worker.full_name},PROVINSI\n".encode()
    import io
    import_participants(session, io.BytesIO(data), file_name="provinsi.csv",
                        as_of=date(2026, 1, 1), actor=staff["cw1"])
    application = open_application(session, worker, program_year=2026,
                                   intake_channel="partner", actor=staff["cw1"])
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(worker, 2)])
    submit_application(session, application, actor=staff["cw1"])
    rule = _rules(latest_evaluation(session, application))["other_payer"]
    assert rule["passed"] is False and rule["value"] == "PROVINSI"


def test_a_later_policy_change_does_not_rewrite_the_snapshot(session, staff):
    application = make_submitted(session, staff["cw1"], desil=5)
    first = latest_evaluation(session, application)
    policy = session.get(PolicyVersion, first.policy_version_id)
    policy.max_desil = 4
    session.flush()
    assert latest_evaluation(session, application).eligible and _rules(first)["desil"]["passed"]
    with pytest.raises(InvalidInput):
        reevaluate_application(session, application, actor=staff["cw2"], reason=" ")
    again = reevaluate_application(session, application, actor=staff["cw2"],
                                   reason="Perwal baru: desil 1-4")
    assert not again.eligible and again.id != first.id
    assert session.get(EligibilityEvaluation, first.id).eligible
    event = _events(session, "eligibility.reevaluate", application.id)[-1]
    assert event.reason == "Perwal baru: desil 1-4" and event.actor_name == "cw2"


def test_same_kk_is_flagged_and_blocks_verification_until_resolved(session, staff):
    first = make_submitted(session, staff["cw1"], kk_number="3275010101999999")
    second = make_submitted(session, staff["cw2"], kk_number="3275010101999999")
    flags = open_flags(session, second)
    assert [f.reason for f in flags] == ["same_kk"] and flags[0].other_application_id == first.id
    assert not _rules(latest_evaluation(session, second))["one_per_kk"]["passed"]
    with pytest.raises(InvalidTransition):
        verify_application(session, second, actor=staff["cw1"])
    with pytest.raises(InvalidInput):
        resolve_duplicate(session, flags[0], resolution="duplicate", note="", actor=staff["cw1"])
    resolve_duplicate(session, flags[0], resolution="duplicate", note="Satu KK", actor=staff["cw1"])
    assert open_flags(session, second) == []
    with pytest.raises(InvalidTransition):
        resolve_duplicate(session, flags[0], resolution="duplicate", note="lagi",
                          actor=staff["cw1"])
    assert _events(session, "duplicate.resolve", flags[0].id)[0].reason == "Satu KK"


def test_similar_name_with_same_birth_date_is_flagged(session, staff):
    make_submitted(session, staff["cw1"], full_name="Muhamad Rizki", birth_date=date(1991, 3, 9),
                   nik="3275010903910001")
    other = make_submitted(session, staff["cw2"], full_name="H. Muhammad Rizky",
                           birth_date=date(1991, 3, 9), nik="3275010903910002")
    flags = open_flags(session, other)
    assert [f.reason for f in flags] == ["similar_name"]
    assert "Muhamad Rizki" in flags[0].detail
    (flagged,) = _events(session, "duplicate.flag", flags[0].id)  # the other person, masked
    assert "Rizki" not in flagged.diff and '"detail":[null,"hmac:' in flagged.diff
    resolve_duplicate(session, flags[0], resolution="not_duplicate", actor=staff["cw1"],
                      note="KTP berbeda, orang berbeda")
    verify_application(session, other, actor=staff["cw1"])
    assert other.state == "verified"


def test_resubmission_does_not_raise_a_resolved_flag_again(session, staff):
    make_submitted(session, staff["cw1"], kk_number="3275010101888888")
    second = make_submitted(session, staff["cw2"], kk_number="3275010101888888")
    resolve_duplicate(session, open_flags(session, second)[0], resolution="not_duplicate",
                      note="KK lama", actor=staff["cw1"])
    from workflows.verification import return_application
    return_application(session, second, actor=staff["cw1"], reason="Perbaiki alamat")
    submit_application(session, second, actor=staff["cw2"])
    assert session.execute(select(DuplicateFlag).where(
        DuplicateFlag.application_id == second.id)).scalars().all().__len__() == 1


def test_only_caseworkers_resolve_duplicates(session, staff):
    make_submitted(session, staff["cw1"], kk_number="3275010101777777")
    second = make_submitted(session, staff["cw2"], kk_number="3275010101777777")
    with pytest.raises(NotAllowed):
        resolve_duplicate(session, open_flags(session, second)[0], resolution="duplicate",
                          note="x", actor=staff["head"])
