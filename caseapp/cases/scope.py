"""The signed-in partner's scope for the web layer (workflows/partners.py): the one
query condition the lists, counts and search add, and the kelurahan a form offers."""
from flask_login import current_user
from sqlalchemy import select

from caseapp.cases.forms import kelurahan_choices
from caseapp.extensions import db
from models import Kelurahan
from workflows.partners import Scope, kelurahan_in, scope_filter, scope_for


def current_scope() -> Scope | None:
    """None for staff; a partner's reach otherwise (a partner without one sees nothing)."""
    return scope_for(db.session, current_user)


def within(entity):
    """The signed-in user's condition on ``entity`` (Application, Worker, Complaint), or
    None when they are not limited: what the lists and counts add to their queries."""
    scope = current_scope()
    return None if scope is None else scope_filter(scope, entity)


def scoped_kelurahan_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """The kelurahan a form offers: all of them, or those of a partner's area."""
    scope = current_scope()
    choices = kelurahan_choices(blank)
    if scope is None or scope.kind == "office":
        return choices
    codes = set(db.session.execute(select(Kelurahan.code).where(
        kelurahan_in(scope, Kelurahan.code))).scalars())
    return [(code, label) for code, label in choices if code == "" or code in codes]
