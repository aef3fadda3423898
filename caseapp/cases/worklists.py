"""The lists of the cases page: one state, or a group one role works through, and the
tabs each role starts from (the home page's counts lead to the same lists)."""
from datetime import date

from flask_login import current_user

from models import Role
from reports.dashboard import COVERED
from reports.worklist import WorklistFilter
from workflows.messages import lazy_gettext as _l
from workflows.states import STATE_LABELS

# Lists beyond a single state: the states they cover (empty: any) and their name.
GROUPS = {
    "waiting_bpjs": (("approved", "submitted_to_bpjs"),
                     _l("Waiting for BPJS (approved or sent)")),
    "holding_place": (COVERED, _l("Holding a place (approved, sent to BPJS or enrolled)")),
    "arrears": ((), _l("In arrears (contributions unpaid)")),
}
INTAKE_CHOICES = (("", _l("Anyone")), ("mine", _l("Me")), ("others", _l("Someone else")))

# (name, query arguments, roles that see the tab)
_TABS = (
    (_l("Waiting for verification"), {"state": "submitted"}, ()),
    (_l("My drafts"), {"state": "draft", "intake": "mine"}, (Role.CASEWORKER, Role.PARTNER)),
    (_l("Returned to me"), {"state": "returned", "intake": "mine"},
     (Role.CASEWORKER, Role.PARTNER)),
    (_l("Awaiting decision"), {"state": "verified"}, (Role.HEAD,)),
    (_l("Waiting for BPJS"), {"state": "waiting_bpjs"}, ()),
    (_l("Enrolled"), {"state": "enrolled"}, ()),
    (_l("In arrears"), {"state": "arrears"}, ()),
)


def state_choices() -> list[tuple[str, str]]:
    return list(STATE_LABELS.items()) + [(key, label) for key, (_s, label) in GROUPS.items()]


def states_of(choice: str) -> tuple[str, ...]:
    return GROUPS[choice][0] if choice in GROUPS else (choice,)


def tabs() -> list[tuple[str, dict]]:
    """The signed-in user's tabs."""
    return [(name, args) for name, args, roles in _TABS
            if not roles or current_user.has_role(*roles)]


def chosen_filter(form, user_id: int, today: date) -> WorklistFilter:
    """The list a validated filter form asks for."""
    choice = form.state.data
    return WorklistFilter(
        states=states_of(choice),
        taken_in_by=user_id if form.intake.data == "mine" else None,
        not_taken_in_by=user_id if form.intake.data == "others" else None,
        arrears_on=today if choice == "arrears" else None,
        program_year=form.year.data, kecamatan=form.kecamatan.data or None,
        kelurahan=form.kelurahan.data or None, category=form.category.data or None,
        min_age_days=form.min_age_days.data, max_age_days=form.max_age_days.data)
