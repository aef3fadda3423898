"""Partners limited to their area (issue 15): intake and submission inside the scope
only, the one scope filter, no verification or decision, the admin's audited scope, and
kelurahan quotas enforced by approval."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import (Application, ApplicationPartner, BudgetQuota, PartnerScope, User,
                    Worker)
from tests.factories import (PASSWORD, add_documents, make_application, make_budget,
                             make_verified, make_worker)
from tests.helpers import events_since, head_seq
from workflows.actor import Actor
from workflows.approval import approve_batch
from workflows.budget import check_quota_split, release
from workflows.errors import InvalidInput, NotAllowed
from workflows.intake import open_application
from workflows.partners import (NOWHERE, Scope, in_scope, scope_filter, scope_for,
                                set_scope)
from workflows.states import apply_transition, availability
from workflows.users import create_user, set_roles
from workflows.verification import submit_application, verify_application

HOME = "3275011001"  # Bekasijaya, kecamatan Bekasi Timur (327501): the factories' default
NEIGHBOUR = "3275011002"  # Margahayu, also Bekasi Timur
ELSEWHERE = "3275071003"  # Bantargebang, kecamatan 327507


def make_partner(session, username: str, kind: str | None, key: str = "") -> Actor:
    """A partner account (no second factor needed) with its scope, made as setup is."""
    system = Actor.system("test-setup")
    user = create_user(session, username=username, full_name=f"Mitra {username}",
                       password=PASSWORD, roles=["partner"], actor=system,
                       must_change_password=False)
    if kind is not None:
        set_scope(session, user, kind=kind, key=key, actor=system)
    session.flush()
    return Actor.for_user(user)


def _ids(session, entity, scope):
    return set(session.scalars(select(entity.id).where(scope_filter(scope, entity))))


def test_kelurahan_partner_takes_in_and_submits_inside_its_kelurahan(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    seq = head_seq(session)
    worker = make_worker(session, partner, kelurahan_code=HOME)
    # Whatever channel is asked for, a kelurahan operator's intake is a kelurahan proposal.
    application = open_application(session, worker, program_year=2026,
                                   intake_channel="walk_in", actor=partner)
    add_documents(session, application, partner)
    submit_application(session, application, actor=partner)
    assert application.state == "submitted" and application.intake_channel == "kelurahan"
    mine = [e for e in events_since(session, seq) if e.actor_id == partner.user_id]
    assert {"worker.register", "application.open", "document.upload",
            "application.submit"} <= {e.action for e in mine}


def test_intake_outside_the_scope_is_refused(session, staff):
    kelurahan = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    kecamatan = make_partner(session, "kec_bekasitimur", "kecamatan", "327501")
    with pytest.raises(NotAllowed):
        make_worker(session, kelurahan, kelurahan_code=NEIGHBOUR)
    make_worker(session, kecamatan, kelurahan_code=NEIGHBOUR)  # inside its kecamatan
    with pytest.raises(NotAllowed):
        make_worker(session, kecamatan, kelurahan_code=ELSEWHERE)
    outsider = make_worker(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    with pytest.raises(NotAllowed):
        open_application(session, outsider, program_year=2026, intake_channel="kelurahan",
                         actor=kecamatan)
    assert session.scalar(select(Application.id).where(
        Application.worker_id == outsider.id)) is None


def test_a_known_nik_outside_the_scope_is_refused_without_the_name(session, staff):
    """Typing any NIK into the intake form must not tell a partner whose it is."""
    from workflows.intake import AlreadyRegistered
    office = make_partner(session, "ojol_gojek", "office", "ojol_gojek")
    kelurahan = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    elsewhere = make_application(session, staff["cw1"], kelurahan_code=HOME,
                                 full_name="Pekerja Rahasia")
    same = dict(nik=elsewhere.worker.nik, birth_date=elsewhere.worker.birth_date,
                kelurahan_code=HOME)
    with pytest.raises(AlreadyRegistered) as refused:
        make_worker(session, office, **same)
    assert "Pekerja Rahasia" not in str(refused.value)
    assert refused.value.application_id is None
    with pytest.raises(AlreadyRegistered) as named:  # inside the scope: the case is named
        make_worker(session, kelurahan, **same)
    assert "Pekerja Rahasia" in str(named.value)
    assert named.value.application_id == elsewhere.id


def test_a_partner_without_a_scope_sees_and_takes_in_nothing(session, staff):
    partner = make_partner(session, "mitra_baru", None)
    make_application(session, staff["cw1"])
    assert scope_for(session, partner) is NOWHERE
    assert _ids(session, Application, NOWHERE) == set()
    with pytest.raises(NotAllowed):
        make_worker(session, partner)


def test_partner_office_sees_the_cases_that_came_through_it(session, staff):
    dishub = make_partner(session, "dishub", "office", "dishub")
    own = make_application(session, dishub, kelurahan_code=ELSEWHERE)  # anywhere in the city
    assert own.intake_channel == "partner"
    assert session.get(ApplicationPartner, own.id).office == "dishub"
    worker = make_worker(session, staff["cw1"])
    via_desk = open_application(session, worker, program_year=2026, intake_channel="partner",
                                partner_office="dishub", actor=staff["cw1"])
    walk_in = make_application(session, staff["cw1"])
    other_office = make_worker(session, staff["cw1"])
    open_application(session, other_office, program_year=2026, intake_channel="partner",
                     partner_office="dinsos", actor=staff["cw1"])
    scope = scope_for(session, dishub)
    assert _ids(session, Application, scope) == {own.id, via_desk.id}
    assert _ids(session, Worker, scope) == {own.worker_id, worker.id}
    assert not in_scope(session, dishub, walk_in)
    with pytest.raises(InvalidInput):  # an office only with the partner channel
        open_application(session, make_worker(session, staff["cw1"]), program_year=2026,
                         intake_channel="walk_in", partner_office="dishub", actor=staff["cw1"])


def test_the_scope_filter_limits_applications_and_workers_by_area(session, staff):
    home = make_application(session, staff["cw1"], kelurahan_code=HOME)
    neighbour = make_application(session, staff["cw1"], kelurahan_code=NEIGHBOUR)
    far = make_application(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    kelurahan, kecamatan = Scope("kelurahan", HOME), Scope("kecamatan", "327501")
    assert {home.id, neighbour.id, far.id} & _ids(session, Application, kelurahan) == {home.id}
    assert {home.id, neighbour.id, far.id} & _ids(session, Application, kecamatan) == \
        {home.id, neighbour.id}
    assert far.worker_id not in _ids(session, Worker, kecamatan)
    assert {home.id, neighbour.id, far.id} <= _ids(session, Application, None)  # staff


def test_a_partner_never_verifies_returns_or_decides(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    make_budget(session, staff["admin1"])
    submitted = make_application(session, staff["cw1"])
    add_documents(session, submitted, staff["cw1"])
    submit_application(session, submitted, actor=staff["cw1"])
    with pytest.raises(NotAllowed):
        verify_application(session, submitted, actor=partner)
    with pytest.raises(NotAllowed):
        apply_transition(session, submitted, "return", actor=partner, reason="Kurang KK")
    assert not availability(submitted, "verify", partner).applies
    verified = make_verified(session, staff["cw1"], staff["cw2"])
    with pytest.raises(NotAllowed):
        approve_batch(session, fiscal_year=2026, application_ids=[verified.id],
                      sk_number="SK-MITRA", sk_date=date(2026, 7, 10), actor=partner)
    assert session.get(Application, verified.id).state == "verified"


def test_a_partner_submits_only_inside_its_scope(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    far = make_application(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    add_documents(session, far, staff["cw1"])
    with pytest.raises(NotAllowed):
        apply_transition(session, far, "submit", actor=partner)
    with pytest.raises(NotAllowed):
        add_documents(session, far, partner)
    assert far.state == "draft"


def test_a_partner_holds_no_other_role_and_only_the_admin_sets_the_scope(session, staff):
    with pytest.raises(NotAllowed):
        create_user(session, username="campur", full_name="Campur", password=PASSWORD,
                    roles=["partner", "caseworker"], actor=Actor.system("test"))
    partner = make_partner(session, "kel_bekasijaya", None)
    user = session.get(User, partner.user_id)
    with pytest.raises(NotAllowed):
        set_roles(session, user, ["partner", "head"], actor=staff["admin1"])
    with pytest.raises(NotAllowed):
        set_scope(session, user, kind="kelurahan", key=HOME, actor=staff["cw1"])
    with pytest.raises(InvalidInput):
        set_scope(session, user, kind="kelurahan", key="3275999999", actor=staff["admin1"])
    seq = head_seq(session)
    set_scope(session, user, kind="kecamatan", key="327501", actor=staff["admin1"])
    set_scope(session, user, kind="kecamatan", key="327501", actor=staff["admin1"])  # same
    events = [e for e in events_since(session, seq) if e.action == "partner.scope"]
    assert len(events) == 1 and events[0].actor_id == staff["admin1"].user_id
    assert json.loads(events[0].diff) == {"scope": [None, "kecamatan:327501"]}
    assert session.get(PartnerScope, user.id).kecamatan_code == "327501"


def test_granting_the_partner_role_waits_for_a_head(session, staff):
    user = create_user(session, username="mitra_dinsos", full_name="Mitra Dinsos",
                       password=PASSWORD, roles=["partner"], actor=staff["admin1"])
    assert user.role_names == ()  # held once a head confirms (workflows.role_grants)


def test_a_kelurahan_quota_holds_approval_back(session, staff):
    make_budget(session, staff["admin1"], places=10)
    split = BudgetQuota(fiscal_year=2026, dimension="kelurahan", key=HOME, quota=1)
    session.add(split)
    check_quota_split(split)
    first, second = (make_verified(session, staff["cw1"], staff["cw2"], kelurahan_code=HOME)
                     for _ in range(2))
    far = make_verified(session, staff["cw1"], staff["cw2"], kelurahan_code=ELSEWHERE)
    decree = approve_batch(session, fiscal_year=2026,
                           application_ids=[first.id, second.id, far.id], sk_number="SK-KEL",
                           sk_date=date(2026, 7, 10), actor=staff["head"])
    states = {a.id: session.get(Application, a.id).state for a in (first, second, far)}
    assert sorted(states[a.id] for a in (first, second)) == ["approved", "waitlisted"]
    assert states[far.id] == "approved"
    assert (decree.approved_count, decree.waitlisted_count) == (2, 1)
    assert session.get(BudgetQuota, split.id).used == 1
    approved = session.get(Application, next(i for i in (first.id, second.id)
                                              if states[i] == "approved"))
    release(session, approved, amount=approved.commitment, months=1, free_place=True,
            reason="uji", actor=staff["head"])
    assert session.get(BudgetQuota, split.id).used == 0


def test_a_kelurahan_quota_added_mid_year_counts_the_places_already_held(session, staff):
    """Approved in January, the quota for the kelurahan entered in March: it starts from
    the place the case holds, so the death of that participant releases it."""
    from tests.factories import enrol
    from workflows.exits import record_death
    make_budget(session, staff["admin1"], places=10)
    (member,) = enrol(session, staff, kelurahan_code=HOME)
    make_verified(session, staff["cw1"], staff["cw2"], kelurahan_code=ELSEWHERE)
    split = BudgetQuota(fiscal_year=2026, dimension="kelurahan", key=HOME, quota=2)
    session.add(split)
    check_quota_split(split)
    assert split.used == 1
    record_death(session, member, date_of_death=date(2026, 5, 3), note="", actor=staff["cw1"])
    assert session.get(BudgetQuota, split.id).used == 0
    too_small = BudgetQuota(fiscal_year=2026, dimension="kecamatan", key="327501", quota=0)
    session.add(too_small)
    check_quota_split(too_small)  # the death freed the place: nobody holds one there now
    assert too_small.used == 0


def test_a_quota_split_names_a_real_kelurahan(session, staff):
    make_budget(session, staff["admin1"])
    for dimension, key in (("kelurahan", "3275999999"), ("kecamatan", "329999"),
                           ("category", "pilot")):
        split = BudgetQuota(fiscal_year=2026, dimension=dimension, key=key, quota=1)
        session.add(split)
        with pytest.raises(InvalidInput):
            check_quota_split(split)
        session.expunge(split)
