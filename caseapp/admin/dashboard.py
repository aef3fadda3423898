"""The home page: each role sees the work waiting for it."""

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from caseapp.extensions import db
from models import Application, AuditChainHead, BudgetYear, Role, User, clock
from reports import dashboard
from workflows.states import STATE_LABELS


def _state_counts(session, **filters) -> dict[str, int]:
    stmt = select(Application.state, func.count()).group_by(Application.state)
    for column, value in filters.items():
        stmt = stmt.where(getattr(Application, column) == value)
    return dict(session.execute(stmt).all())


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
        year = clock.today().year
        panels = {"stages": dashboard.stage_counts(session, year), "year": year}
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
                           age_buckets=dashboard.AGE_BUCKETS)
