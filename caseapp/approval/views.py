"""The head's pages: the ranking, a proposal of the next decree, carrying undecided
cases over to the next year, and the budget (decree pages: decree_pages.py)."""
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView, chosen_year
from caseapp.arguments import YEARS, bounded_int, int_arg, posted_ids
from caseapp.approval.decree_pages import DecreePagesMixin
from caseapp.cases.forms import kecamatan_names
from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.extensions import db
from caseapp.figures import fresh_city_figures
from caseapp.jobs.periodic import HOME_FIGURES_EVERY_MINUTES
from caseapp.refusals import refuse
from models import BudgetYear, Role, clock
from reports.budget import budget_summary, kelurahan_quotas
from reports.formatting import rupiah
from workflows.budget import decision_year, last_decision_day
from workflows.carry_over import carry_over, waiting_to_carry, year_is_over
from workflows.decisions import terms_for
from workflows.errors import WorkflowError
from workflows.proposal import open_proposal, own_cases, propose_batch, require_head
from workflows.ranking import ranking
from workflows.ranking_page import estimate, line_page, ranking_page
from workflows.year_close import close_budget_year, obstacles

PAGE_SIZE = 100  # cases per page of the ranking
MAX_PAGE = 100_000  # past any ranking's last page (which is shown instead)


def _year() -> int:
    """The year the user chose, else the one a decision today is for."""
    return chosen_year(decision_year(clock.today()))


class ApprovalView(DecreePagesMixin, SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value)

    def render_ranking(self, status: int = 200):
        """One page of the ranking (workflows/ranking_page.py) with the budget's cut-off.
        Nothing ticked but what a refused proposal posted (from the page it was on); the
        cases this head may not decide have no box and say why; each box carries the
        case's estimated commitment for the running total (static/js/ranking.js)."""
        year = _year()
        budget = db.session.get(BudgetYear, year)
        proposal = open_proposal(db.session, year)
        held = estimate(budget, clock.today(), proposal) if budget else None
        holds = held.holds if held and held.amount else None  # an over year draws no line
        if request.values.get("page") == "line" and holds is not None:
            # None: every case that can be taken fits, as the last page then says.
            number = line_page(db.session, year, holds, PAGE_SIZE) or MAX_PAGE
        else:
            number = int_arg("page", 1, high=MAX_PAGE)
        page = ranking_page(db.session, year, number, PAGE_SIZE, holds)
        shown = page.cases
        actor = current_actor()
        head = actor.has_role(Role.HEAD)
        own = own_cases(db.session, [c.application_id for c in shown], actor) if head else {}
        amounts = {t.case.application_id: t.amount for t in terms_for(
            db.session, budget, shown, clock.today())} if head and budget else {}
        # The year shown, or the one before it, may hold cases it can no longer cover.
        carry_from, carry_count = next(
            ((y, n) for y in (year, year - 1) for n in [waiting_to_carry(db.session, y)] if n),
            (None, 0))
        return self.render("approval/ranking.html", year=year, page=page, cases=shown,
                           budget=budget, categories=CATEGORY_LABELS, over=year_is_over(year),
                           estimate=held if holds is not None else None,
                           last_day=last_decision_day(year), carry_from=carry_from,
                           carry_count=carry_count, own=own, amounts=amounts,
                           kecamatan=kecamatan_names({c.kecamatan for c in shown}),
                           ticked=set(request.form.getlist("application_id")),
                           proposal=proposal), status

    @expose("/")
    def index(self):
        return self.render_ranking()

    @expose("/propose", methods=("POST",))
    def propose(self):
        year = _year()

        def work():
            require_head(current_actor())  # the role before the form: an auditor's 403
            if request.form.get("scope") == "all":  # all that can be ticked
                ids = [c.application_id for c in ranking(db.session, year, states=("verified",))
                       if not c.restricted]
                own = own_cases(db.session, ids, current_actor())
                ids = [i for i in ids if i not in own]
            else:
                ids = posted_ids("application_id")
            return propose_batch(db.session, fiscal_year=year, application_ids=ids,
                                 actor=current_actor())
        return self.commit_verb(work, refused=self.render_ranking, message=lambda decree: _(
            "Proposal %(number)s: %(a)d to approve, %(w)d on the waiting list. Print it for "
            "the mayor's signature, then enter the number and date of the signed decree.",
            number=decree.proposal_number, a=decree.approved_count, w=decree.waitlisted_count),
            location=lambda decree: url_for(".decree", decree_id=decree.id))

    @expose("/carry-over", methods=("POST",))
    def carry_over(self):
        from_year = bounded_int(request.form.get("from_year"), *YEARS)
        if from_year is None:
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


class BudgetView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value)

    def render_index(self, status: int = 200):
        """The year's figures are its row's, live; its places and rupiah per kecamatan and
        category are the job worker's count of the last minutes while it is fresh
        (reports/home_figures.py), and the page says as of when."""
        years = db.session.execute(select(BudgetYear).order_by(BudgetYear.fiscal_year.desc())
                                   ).scalars().all()
        chosen = next((y for y in years if y.fiscal_year == _year()), years[0] if years else None)
        stored = fresh_city_figures(db.session, chosen.fiscal_year, ["budget"]) \
            if chosen else None
        summary = budget_summary(db.session, chosen, CATEGORY_LABELS,
                                 stored.figures["budget"] if stored else None) if chosen else None
        blocking = obstacles(db.session, chosen.fiscal_year) \
            if chosen is not None and chosen.status == "open" else []
        quotas = kelurahan_quotas(db.session, chosen.fiscal_year) if chosen else []
        return self.render("approval/budget.html", years=years, summary=summary,
                           obstacles=blocking, kelurahan_quotas=quotas,
                           as_of=stored.computed_at if stored else None,
                           figures_every_minutes=HOME_FIGURES_EVERY_MINUTES), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/close", methods=("POST",))
    def close(self):
        year = _year()
        return self.commit_verb(
            lambda: close_budget_year(db.session, year, actor=current_actor()),
            refused=self.render_index, location=url_for(".index", year=year),
            message=lambda closed: _(
                "%(year)d is closed: %(released)s released, %(carried)s of unpaid months "
                "carried to %(next)d.", year=year, released=rupiah(closed.released_at_close),
                carried=rupiah(closed.carried_to_next), next=year + 1))
