"""Roles that open case data are held only once a second person confirms the admin's
proposal, so one admin cannot make themselves (or a shadow account) a caseworker,
approver or auditor.

Who confirms: a head (kepala dinas or kabid), other than the proposer and the person
receiving the role, for every case role. The head answers for the office's data (the
controller under UU PDP) and knows who joined the office, who was appointed kabid and
which inspektorat staff hold a letter of assignment for an audit. Not another admin:
two admins would then suffice, and admins see no case data to judge by. Not an auditor:
an auditor changes nothing (design.md), and that holds for accounts too. Admin grants
need no second person: an admin holds no case role (``check_admin_alone``), so a second
admin sees no case data. The first head of a new installation comes from
``flask users create`` on the server (a system actor), the one path that grants directly.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Role, RoleGrant, User, UserRole, clock
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l

CONFIRMING_ROLE = Role.HEAD.value
NEEDS_CONFIRMATION = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value,
                      Role.PARTNER.value)  # a partner reads the cases of its area


def check_admin_alone(roles) -> None:
    """An admin manages accounts and reference data; it never also works on cases."""
    if Role.ADMIN.value in roles and len(set(roles)) > 1:
        raise NotAllowed(_l("An admin account holds no other role: the admin manages "
                            "accounts and never works on cases."))


def needs_confirmation(role: str, actor: Actor) -> bool:
    return actor.user_id is not None and role in NEEDS_CONFIRMATION


def pending(session: Session, user: User | None = None) -> list[RoleGrant]:
    query = select(RoleGrant).where(RoleGrant.outcome.is_(None)).order_by(RoleGrant.id)
    if user is not None:
        query = query.where(RoleGrant.user_id == user.id)
    return list(session.execute(query).scalars())


def request(session: Session, user: User, role: str, *, actor: Actor) -> RoleGrant:
    """Propose ``role`` for ``user``; not held until confirmed."""
    for grant in pending(session, user):
        if grant.role == role:
            return grant
    grant = RoleGrant(user_id=user.id, role=role, requested_by_id=actor.user_id,
                      requested_at=clock.now())
    session.add(grant)
    session.flush()
    record(session, actor, "role_grant.request", entity=grant,
           diff={"user_id": [None, user.id], "role": [None, role]})
    return grant


def withdraw_unwanted(session: Session, user: User, wanted, *, actor: Actor) -> None:
    """Withdraw pending proposals the admin no longer asks for."""
    for grant in pending(session, user):
        if grant.role not in wanted:
            _decide(session, grant, "withdrawn", actor=actor)


def can_confirm(actor: Actor, grant: RoleGrant) -> bool:
    return (grant.outcome is None and actor.has_role(CONFIRMING_ROLE)
            and actor.user_id not in (grant.requested_by_id, grant.user_id))


def _decide(session: Session, grant: RoleGrant, outcome: str, *, actor: Actor) -> None:
    grant.outcome, grant.decided_by_id, grant.decided_at = outcome, actor.user_id, clock.now()
    record(session, actor, f"role_grant.{outcome}", entity=grant,
           diff={"outcome": [None, outcome]})


def _guard(grant: RoleGrant, actor: Actor) -> None:
    if grant.outcome is not None:
        raise InvalidTransition(_l("This role grant was already decided."))
    if not can_confirm(actor, grant):
        raise NotAllowed(_l("Only a head, other than the proposer and the person receiving "
                            "the role, may decide this grant."))


def confirm(session: Session, grant: RoleGrant, *, actor: Actor) -> None:
    _guard(grant, actor)
    user = grant.user
    check_admin_alone([*user.role_names, grant.role])
    _decide(session, grant, "confirmed", actor=actor)
    old = ",".join(user.role_names)
    user.roles.append(UserRole(role=grant.role))
    session.flush()
    record(session, actor, "user.roles", entity=user,
           diff={"roles": [old, ",".join(user.role_names)]})


def decline(session: Session, grant: RoleGrant, *, actor: Actor) -> None:
    _guard(grant, actor)
    _decide(session, grant, "declined", actor=actor)
