"""Partners limited to their area (issue 15): what a partner account may see and take in.

A kelurahan operator sees the workers living in its kelurahan (or kecamatan); a partner
office (Dinsos, Dinkop UMKM, Dishub, an ojol aplikator: domain.md §2.1, the SIGAP data
"verified by Dinsos, Dinas Koperasi & UMKM, Dinas Perhubungan and ojol platform partners")
sees the applications that came in through it. ``scope_filter`` is the one place that
says so as a query condition; every list, count, search and page of a partner goes
through it, and the verbs check a single record with ``check_in_scope``.

A partner never verifies, approves or touches the budget: the state table gives it
``submit`` only (workflows/states.py), and it holds no other role (``check_partner_alone``),
so separation of duties cannot be bypassed by combining roles.
"""
from dataclasses import dataclass

from sqlalchemy import false, select, true
from sqlalchemy.orm import Session, object_session

from models import (Application, ApplicationPartner, Complaint, Kecamatan, Kelurahan,
                    PartnerScope, Role, User, Worker)
from models.partner import PARTNER_OFFICES, SCOPE_KINDS
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l

PARTNER = Role.PARTNER.value
OUT_OF_SCOPE = _l("This is outside the area or channel your partner account covers.")


@dataclass(frozen=True)
class Scope:
    """A partner's reach: ``kind`` kelurahan, kecamatan or office (or ``none`` for a
    partner account the admin has not given a scope yet: it sees nothing)."""
    kind: str
    key: str

    @property
    def channel(self) -> str:
        """The intake channel of the applications it takes in."""
        return "partner" if self.kind == "office" else "kelurahan"


NOWHERE = Scope("none", "")


def is_partner(actor) -> bool:
    """``actor``: an Actor or a User (both have ``has_role``)."""
    return actor.has_role(PARTNER)


def scope_for(session: Session, actor) -> Scope | None:
    """The reach of ``actor`` (an Actor or a User): None for staff, who are not limited."""
    if not is_partner(actor):
        return None
    user_id = getattr(actor, "user_id", None) or getattr(actor, "id", None)
    row = session.get(PartnerScope, user_id) if user_id is not None else None
    return NOWHERE if row is None else Scope(row.kind, row.key)


def kelurahan_in(scope: Scope, code_column):
    """``code_column`` within a kelurahan or kecamatan scope."""
    if scope.kind == "kelurahan":
        return code_column == scope.key
    return code_column.in_(select(Kelurahan.code).where(Kelurahan.kecamatan_code == scope.key))


def _office_applications(scope: Scope):
    return select(ApplicationPartner.application_id).where(ApplicationPartner.office == scope.key)


def scope_filter(scope: Scope | None, entity):
    """The query condition keeping rows of ``entity`` (Application, Worker or Complaint)
    inside ``scope``; always true for staff (None), always false for ``NOWHERE``. It needs
    no join: each form is a subquery on the entity's own columns."""
    if scope is None:
        return true()
    if scope.kind not in SCOPE_KINDS:
        return false()
    if entity is Application:
        if scope.kind == "office":
            return Application.id.in_(_office_applications(scope))
        return Application.worker_id.in_(
            select(Worker.id).where(kelurahan_in(scope, Worker.kelurahan_code)))
    if entity is Worker:
        if scope.kind == "office":
            return Worker.id.in_(select(Application.worker_id)
                                 .where(Application.id.in_(_office_applications(scope))))
        return kelurahan_in(scope, Worker.kelurahan_code)
    if entity is Complaint:
        if scope.kind == "office":  # about one of its cases, or filed by the office
            return (Complaint.application_id.in_(_office_applications(scope))
                    | Complaint.filed_by_id.in_(select(PartnerScope.user_id).where(
                        PartnerScope.office == scope.key)))
        return kelurahan_in(scope, Complaint.kelurahan_code)
    raise TypeError(f"no partner scope for {entity!r}")


def in_scope(session: Session, actor: Actor, row) -> bool:
    """Whether one loaded Application, Worker or Complaint lies in ``actor``'s scope."""
    scope = scope_for(session, actor)
    if scope is None:
        return True
    entity = type(row)
    key = {Application: Application.id, Worker: Worker.id, Complaint: Complaint.id}[entity]
    return session.scalar(select(key).where(key == row.id, scope_filter(scope, entity))) \
        is not None


def check_in_scope(session: Session, actor: Actor, row) -> None:
    if not in_scope(session, actor, row):
        raise NotAllowed(OUT_OF_SCOPE)


def check_kelurahan(session: Session, actor: Actor, kelurahan_code: str) -> Scope | None:
    """A partner with an area takes in (and files complaints) only for people living in
    it; a partner office takes in drivers and members wherever in Kota Bekasi they live."""
    scope = scope_for(session, actor)
    if scope is None or scope.kind == "office":
        return scope
    if scope is NOWHERE or session.scalar(select(Kelurahan.code).where(
            Kelurahan.code == kelurahan_code, kelurahan_in(scope, Kelurahan.code))) is None:
        raise NotAllowed(OUT_OF_SCOPE)
    return scope


def within_partner_scope(application: Application, actor: Actor) -> None:
    """Guard of the state table: a partner moves only the cases of its scope."""
    if is_partner(actor):
        check_in_scope(object_session(application), actor, application)


def check_partner_alone(roles) -> None:
    """A partner account is an outside office's: it holds no Disnaker role besides."""
    if PARTNER in roles and len(set(roles)) > 1:
        raise NotAllowed(_l("A partner account holds no other role: partners take workers in "
                            "within their area and never verify or decide."))


def set_scope(session: Session, user: User, *, kind: str, key: str, actor: Actor) -> PartnerScope:
    """The admin sets (or changes) what a partner account covers; audited."""
    if not (actor.has_role(Role.ADMIN) or actor.is_system):  # the demo seed, a command
        raise NotAllowed(_l("Only the admin sets a partner's area."))
    key = (key or "").strip()
    if kind not in SCOPE_KINDS:
        raise InvalidInput(_l("Choose whether the partner covers a kelurahan, a kecamatan or "
                              "an office's channel."))
    known = {"kelurahan": lambda: session.get(Kelurahan, key) is not None,
             "kecamatan": lambda: session.get(Kecamatan, key) is not None,
             "office": lambda: key in PARTNER_OFFICES}[kind]()
    if not known:
        raise InvalidInput(_l("Unknown %(kind)s: %(key)s.", kind=kind, key=key or "-"))
    row = session.get(PartnerScope, user.id)
    old = None if row is None else f"{row.kind}:{row.key}"
    if row is None:
        row = PartnerScope(user_id=user.id)
        session.add(row)
    row.kind = kind
    row.kelurahan_code = key if kind == "kelurahan" else None
    row.kecamatan_code = key if kind == "kecamatan" else None
    row.office = key if kind == "office" else None
    new = f"{kind}:{key}"
    if old != new:
        record(session, actor, "partner.scope", entity=user, diff={"scope": [old, new]})
    return row
