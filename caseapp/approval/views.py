"""The head's pages: ranking and batch approval under an SK, decrees, the budget."""
import hashlib
import json
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.extensions import db
from caseapp.refusals import refuse
from models import BudgetYear, Decree, Role, clock
from reports.budget import budget_summary
from workflows.approval import approve_batch
from workflows.audit.access import record_read
from workflows.budget import decision_year, last_decision_day
from workflows.carry_over import carry_over, waiting_to_carry, year_is_over
from workflows.errors import InvalidInput, WorkflowError
from workflows.ranking import ranking

SHOWN = 500


def _year() -> int:
    """The year the user chose, else the one a decision today is for."""
    try:
        return int(request.values.get("year") or decision_year(clock.today()))
    except ValueError:
        return decision_year(clock.today())


class ApprovalView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value)

    def render_ranking(self, status: int = 200):
        year = _year()
        cases = ranking(db.session, year)
        budget = db.session.get(BudgetYear, year)
        today = clock.today()
        # The year shown, or the one before it, may hold cases it can no longer cover.
        carry_from, carry_count = next(
            ((y, n) for y in (year, year - 1) for n in [waiting_to_carry(db.session, y)] if n),
            (None, 0))
        return self.render("approval/ranking.html", year=year, cases=cases[:SHOWN],
                           total=len(cases), budget=budget, shown=SHOWN,
                           categories=CATEGORY_LABELS, today=today, over=year_is_over(year),
                           last_day=last_decision_day(year),
                           sk_max=min(today, last_decision_day(year)), carry_from=carry_from,
                           carry_count=carry_count), status

    @expose("/")
    def index(self):
        return self.render_ranking()

    @expose("/approve", methods=("POST",))
    def approve(self):
        year = _year()
        try:
            if request.form.get("scope") == "all":  # all that can be ticked
                ids = [c.application_id for c in ranking(db.session, year, states=("verified",))
                       if not c.restricted]
            else:
                ids = [int(i) for i in request.form.getlist("application_id")]
            try:
                sk_date = date.fromisoformat(request.form.get("sk_date", ""))
            except ValueError:
                raise InvalidInput(_("The SK date is not valid."))
            decree = approve_batch(db.session, fiscal_year=year, application_ids=ids,
                                   sk_number=request.form.get("sk_number", ""), sk_date=sk_date,
                                   actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_ranking(exc.status)
        flash(_("SK %(sk)s: %(a)d approved, %(w)d on the waiting list.", sk=decree.sk_number,
                a=decree.approved_count, w=decree.waitlisted_count), "success")
        return redirect(url_for(".decree", decree_id=decree.id))

    @expose("/carry-over", methods=("POST",))
    def carry_over(self):
        try:
            from_year = int(request.form.get("from_year", ""))
        except ValueError:
            abort(400)
        try:
            outcome = carry_over(db.session, from_year=from_year, actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_ranking(exc.status)
        flash(_("%(n)d applications were carried over to %(year)d.", n=len(outcome.moved),
                year=from_year + 1), "success")
        for application_id, why in outcome.kept.items():
            flash(_("Application %(id)s stays in %(year)d: %(why)s.", id=application_id,
                    year=from_year, why=why), "warning")
        return redirect(url_for(".index", year=from_year + 1))

    @expose("/decrees/<int:decree_id>")
    def decree(self, decree_id: int):
        decree = db.session.get(Decree, decree_id)
        if decree is None:
            abort(404)
        intact = hashlib.sha256(decree.snapshot.encode("utf-8")).hexdigest() == \
            decree.snapshot_sha256
        page = self.render("approval/decree.html", decree=decree, intact=intact,
                           lists=json.loads(decree.snapshot), categories=CATEGORY_LABELS)
        # The frozen list names every worker of the SK (NIK, name, rank reason): a read.
        record_read(db.session, current_actor(), "decree.view", entity=decree)
        db.session.commit()
        return page


class BudgetView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value)

    @expose("/")
    def index(self):
        years = db.session.execute(select(BudgetYear).order_by(BudgetYear.fiscal_year.desc())
                                   ).scalars().all()
        chosen = next((y for y in years if y.fiscal_year == _year()), years[0] if years else None)
        summary = budget_summary(db.session, chosen, CATEGORY_LABELS) if chosen else None
        return self.render("approval/budget.html", years=years, summary=summary)
