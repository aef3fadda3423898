"""The home page: each role sees the work waiting for it.

One's own work (a caseworker's intake, what waits for a decision, a partner's intake and
ageing) is counted live: by index, or for a caseworker's intake per state from the
intake tally the database keeps (models/intake_tally.py); figures over the whole city or
a partner's whole area (stages of the year, every state, coverage, budget burn, the
city's verification queue) come from the job worker's count of the last minutes while
it is fresh (reports/home_figures.py), and the page says as of when; without one they are
counted for the page.
"""
from datetime import datetime

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from caseapp.cases.scope import current_scope, within
from caseapp.cases.views import CasesView
from caseapp.extensions import db
from caseapp.figures import fresh_city_figures
from caseapp.jobs.periodic import HOME_FIGURES_EVERY_MINUTES
from models import Application, AuditChainHead, BudgetYear, Complaint, Role, User, clock
from reports import dashboard
from reports.complaints import open_and_overdue
from reports.configuration import reference_gaps
from reports.home_figures import city_figures
from workflows.messages import lazy_gettext as _l
from workflows.ranking import DECIDING
from workflows.states import STATE_LABELS

# What a missing reference row stops, and where the admin enters it (endpoint).
GAP_MESSAGES = {
    "policy": (_l("No policy version is in force for %(year)d: applications of that year "
                  "cannot be evaluated."), "policy.index_view"),
    "umk": (_l("The UMK %(year)d is not entered and the policy does not let the last published "
               "UMK stand in: submissions for %(year)d are refused until it is."), "umk.index_view"),
    "umk_fallback": (_l("The UMK %(year)d is not entered yet; as the policy allows, the last "
                        "published UMK stands in. Enter it once the Governor's decree is out."),
                     "umk.index_view"),
    "contribution": (_l("No JKK/JKM contribution rate is in force on 1 January %(year)d: budget "
                        "years and registration files for %(year)d cannot be made."),
                     "contributions.index_view"),
    "budget_year": (_l("The budget year %(year)d (DPA) is not entered: approvals, BPJS batches "
                       "and contributions of %(year)d wait for it."), "budget_years.index_view"),
}


def _gaps(session, today) -> list[tuple]:
    """(gap, message, endpoint where the admin enters the row) per missing row."""
    return [(gap, str(GAP_MESSAGES[gap.kind][0]) % {"year": gap.year}, GAP_MESSAGES[gap.kind][1])
            for gap in reference_gaps(session, today)]


def _figure_names(partner: bool) -> list[str]:
    """The city-wide figures (reports/home_figures.py) this user's panels show."""
    if partner:
        return ["scopes"]
    names = ["stages"]
    if current_user.has_role(Role.CASEWORKER):
        names.append("queue")
    if current_user.has_role(Role.HEAD, Role.AUDITOR, Role.ADMIN):
        names += ["burn", "coverage"]
    if current_user.has_role(Role.AUDITOR):
        names.append("states")
    return names


def _figures(session, year: int, limit) -> tuple[dict, datetime | None]:
    """The figures this user's panels show over the city, or over a partner's scope
    (``limit``; its "stages" and "states"), and when the job worker counted them (None:
    counted now, there being no stored count younger than HOME_FIGURES_MAX_AGE_SECONDS)."""
    names = _figure_names(partner=limit is not None)
    stored = fresh_city_figures(session, year, names)
    if stored is None:
        if limit is None:
            return city_figures(session, year, names), None
        return {"stages": dashboard.stage_counts(session, year, within=limit),
                "states": dashboard.state_counts(session, within=limit)}, None
    if limit is None:
        return stored.figures, stored.computed_at
    scope = current_scope()
    nothing = {"stages": {}, "states": {}}
    return stored.figures["scopes"].get(scope.kind, {}).get(scope.key, nothing), \
        stored.computed_at


class DashboardView(AdminIndexView):
    def is_visible(self) -> bool:
        return current_user.is_authenticated

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.must_change_password:
            return redirect(url_for("auth.password"))
        session = db.session
        today = clock.today()
        year = today.year
        # A partner's figures are those of its scope only (workflows/partners.py).
        limit = within(Application)
        city, as_of = _figures(session, year, limit)
        panels = {"stages": city["stages"], "year": year, "as_of": as_of}
        if current_user.has_role(Role.PARTNER):
            panels["partner"] = {
                "mine": dashboard.state_counts(session, within=limit,
                                               taken_in_by_id=current_user.id),
                "scope": city["states"],
                "ageing": dashboard.worklist_ageing(session, within=limit)}
        if current_user.has_role(Role.CASEWORKER, Role.PARTNER):
            panels["complaints"] = open_and_overdue(session, today,
                                                    within=within(Complaint))
        if current_user.has_role(Role.CASEWORKER, Role.HEAD, Role.ADMIN):
            panels["configuration"] = _gaps(session, today)
        if current_user.has_role(Role.CASEWORKER):
            queue = city["queue"]  # the city's, as counted; one's own intake live
            panels["caseworker"] = {
                "mine": dashboard.intake_counts(session, current_user.id),
                "to_verify": queue["submitted"] - queue["by_taker"].get(str(current_user.id), 0),
                "ageing": queue["ageing"],
                "my_ageing": dashboard.worklist_ageing(session, taken_in_by=current_user.id),
            }
        if current_user.has_role(Role.HEAD):
            counts = dashboard.state_counts(
                session, within=Application.state.in_(DECIDING))
            panels["head"] = {state: counts.get(state, 0) for state in DECIDING}
        if current_user.has_role(Role.CASEWORKER, Role.HEAD):
            panels["privacy"] = dashboard.subject_requests_due(session)
        if current_user.has_role(Role.HEAD, Role.AUDITOR, Role.ADMIN):
            panels["budget"] = {"year": session.get(BudgetYear, year),
                                "burn": city["burn"], "coverage": city["coverage"]}
        if current_user.has_role(Role.AUDITOR):
            head = session.get(AuditChainHead, 1)
            panels["auditor"] = {"head": head, "states": city["states"]}
        if current_user.has_role(Role.ADMIN):
            panels["admin"] = {"users": session.scalar(select(func.count()).select_from(User))}
        return self.render("dashboard.html", panels=panels, labels=STATE_LABELS,
                           age_buckets=dashboard.AGE_BUCKETS,
                           figures_every_minutes=HOME_FIGURES_EVERY_MINUTES,
                           count_links=current_user.has_role(*CasesView.roles))
