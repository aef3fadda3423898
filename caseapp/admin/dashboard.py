"""The home page: each role sees the work waiting for it."""

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from caseapp.cases.scope import within
from caseapp.cases.views import CasesView
from caseapp.extensions import db
from models import Application, AuditChainHead, BudgetYear, Complaint, Role, User, clock
from reports import dashboard
from reports.complaints import open_and_overdue
from reports.configuration import reference_gaps
from workflows.messages import lazy_gettext as _l
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


def _state_counts(session, *, within=None, **filters) -> dict[str, int]:
    stmt = select(Application.state, func.count()).group_by(Application.state)
    for column, value in filters.items():
        stmt = stmt.where(getattr(Application, column) == value)
    if within is not None:
        stmt = stmt.where(within)
    return dict(session.execute(stmt).all())


def _gaps(session, today) -> list[tuple]:
    """(gap, message, endpoint where the admin enters the row) per missing row."""
    return [(gap, str(GAP_MESSAGES[gap.kind][0]) % {"year": gap.year}, GAP_MESSAGES[gap.kind][1])
            for gap in reference_gaps(session, today)]


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
        panels = {"stages": dashboard.stage_counts(session, year, within=limit), "year": year}
        if current_user.has_role(Role.PARTNER):
            panels["partner"] = {
                "mine": _state_counts(session, within=limit, taken_in_by_id=current_user.id),
                "scope": _state_counts(session, within=limit),
                "ageing": dashboard.worklist_ageing(session, within=limit)}
        if current_user.has_role(Role.CASEWORKER, Role.PARTNER):
            panels["complaints"] = open_and_overdue(session, today,
                                                    within=within(Complaint))
        if current_user.has_role(Role.CASEWORKER, Role.HEAD, Role.ADMIN):
            panels["configuration"] = _gaps(session, today)
        if current_user.has_role(Role.CASEWORKER):
            panels["caseworker"] = {
                "mine": _state_counts(session, taken_in_by_id=current_user.id),
                "to_verify": session.scalar(select(func.count()).select_from(Application).where(
                    Application.state == "submitted",
                    Application.taken_in_by_id != current_user.id)),
                "ageing": dashboard.worklist_ageing(session),
                "my_ageing": dashboard.worklist_ageing(session, taken_in_by=current_user.id),
            }
        if current_user.has_role(Role.HEAD):
            counts = _state_counts(session)
            panels["head"] = {"verified": counts.get("verified", 0),
                              "waitlisted": counts.get("waitlisted", 0)}
        if current_user.has_role(Role.CASEWORKER, Role.HEAD):
            panels["privacy"] = dashboard.subject_requests_due(session)
        if current_user.has_role(Role.HEAD, Role.AUDITOR, Role.ADMIN):
            panels["budget"] = {"year": session.get(BudgetYear, year),
                                "burn": dashboard.budget_burn(session, year),
                                "coverage": dashboard.coverage_by_kecamatan(session, year)}
        if current_user.has_role(Role.AUDITOR):
            head = session.get(AuditChainHead, 1)
            panels["auditor"] = {"head": head, "states": _state_counts(session)}
        if current_user.has_role(Role.ADMIN):
            panels["admin"] = {"users": session.scalar(select(func.count()).select_from(User))}
        return self.render("dashboard.html", panels=panels, labels=STATE_LABELS,
                           age_buckets=dashboard.AGE_BUCKETS,
                           count_links=current_user.has_role(*CasesView.roles))
