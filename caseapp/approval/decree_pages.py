"""The decree page: a proposal's frozen lists with their hash, printing it for the
mayor's signature, entering the signed decree's number and date, or withdrawing it;
a signed decree's lists as they were signed."""
import hashlib
from datetime import date

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import func, select

from caseapp.actor import current_actor
from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.extensions import db
from models import Application, Decree, clock
from reports.decree_annex import decree_lists
from workflows.approval import sign_decree
from workflows.audit.access import record_read
from workflows.budget import last_decision_day
from workflows.errors import InvalidInput
from workflows.proposal import withdraw_proposal


class DecreePagesMixin:
    def _load_decree(self, decree_id: int) -> Decree:
        decree = db.session.get(Decree, decree_id)
        if decree is None:
            abort(404)
        return decree

    def render_decree(self, decree: Decree, status: int = 200):
        """After a refusal the page shows the posted SK number, date and reason again."""
        intact = hashlib.sha256(decree.snapshot.encode("utf-8")).hexdigest() == \
            decree.snapshot_sha256
        sk_max = min(clock.today(), last_decision_day(decree.fiscal_year))
        page = self.render("approval/decree.html", decree=decree, intact=intact,
                           lists=decree_lists(db.session, decree), categories=CATEGORY_LABELS,
                           sk_max=sk_max, values=request.form)
        # The frozen list names every worker of the SK (NIK, name, rank reason): a read.
        record_read(db.session, current_actor(), "decree.view", entity=decree)
        db.session.commit()
        return page, status

    @expose("/decrees/<int:decree_id>")
    def decree(self, decree_id: int):
        return self.render_decree(self._load_decree(decree_id))

    def _decree_step(self, decree_id: int, work, success) -> object:
        decree = self._load_decree(decree_id)
        return self.commit_verb(
            lambda: work(decree),
            refused=lambda status: self.render_decree(self._load_decree(decree_id), status),
            message=lambda _result: success(decree),
            location=url_for(".decree", decree_id=decree_id))

    @expose("/decrees/<int:decree_id>/sign", methods=("POST",))
    def sign(self, decree_id: int):
        def work(decree):
            try:
                sk_date = date.fromisoformat(request.form.get("sk_date", ""))
            except ValueError:
                raise InvalidInput(_("The SK date is not valid."))
            sign_decree(db.session, decree, sk_number=request.form.get("sk_number", ""),
                        sk_date=sk_date, actor=current_actor())
        return self._decree_step(decree_id, work, lambda decree: _(
            "SK %(sk)s: %(a)d approved (%(c)d continuing with their KPJ), %(w)d on the "
            "waiting list.", sk=decree.sk_number, a=decree.approved_count,
            c=_continuing(decree), w=decree.waitlisted_count))

    @expose("/decrees/<int:decree_id>/withdraw", methods=("POST",))
    def withdraw(self, decree_id: int):
        return self._decree_step(decree_id, lambda decree: withdraw_proposal(
            db.session, decree, reason=request.form.get("reason", ""), actor=current_actor()),
            lambda decree: _("Proposal %(number)s was withdrawn; its applications can be "
                             "proposed again.", number=decree.proposal_number))


def _continuing(decree: Decree) -> int:
    """Renewals the decree enrolled at once under their previous KPJ."""
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.decree_id == decree.id, Application.renews_id.is_not(None),
        Application.state == "enrolled"))
