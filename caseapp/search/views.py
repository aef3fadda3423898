"""One box, one step to the case: 16 digits are a NIK or KK number, fewer digits an
application number or KPJ, anything else part of a name. One worker found opens their
newest case; several are listed. A listed row shows a person, so each is an audited
read, with the term masked (it is often a NIK)."""
import re

from flask import abort, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import and_

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.arguments import MAX_ID, bounded_int
from caseapp.cases.scope import within
from caseapp.cases.views import CasesView
from caseapp.extensions import db
from models import Application
from reports.search import by_name, by_nik_or_kk, by_number_or_kpj, find_applications
from workflows.audit.access import record_list_reads
from workflows.audit.masking import mask
from workflows.states import STATE_LABELS

MAX_QUERY = 100  # longer than any name, NIK or KPJ typed on purpose
MIN_NAME = 3
_DIGITS = re.compile(r"[0-9]+")


def _condition(query: str):
    """What the query is looked up as, or the message why it cannot be."""
    if len(query) > MAX_QUERY:
        return None, _("The search text may be at most %(n)d characters.", n=MAX_QUERY)
    digits = query.replace(" ", "")
    if _DIGITS.fullmatch(digits):
        if len(digits) == 16:
            return by_nik_or_kk(digits), None
        return by_number_or_kpj(bounded_int(digits, 1, MAX_ID), digits), None
    if len(query) < MIN_NAME:
        return None, _("Type at least %(n)d letters of the name.", n=MIN_NAME)
    return by_name(query), None


def _scoped(condition):
    """A partner finds only the cases of its scope (workflows/partners.py)."""
    limit = within(Application)
    return condition if limit is None else and_(condition, limit)


class SearchView(SecureView):
    roles = CasesView.roles  # it leads to case pages

    def is_visible(self) -> bool:
        return False  # the box in the top bar, not a menu entry

    @expose("/")
    def index(self):
        query = " ".join(request.args.get("q", "").split())
        hits, more, problem, status = [], False, None, 200
        if query:
            condition, problem = _condition(query)
            if problem:
                status = 422
            else:
                hits, more = find_applications(db.session, _scoped(condition))
        if len({hit.worker_id for hit in hits}) == 1 and not more:
            return redirect(url_for("cases.case", application_id=hits[0].application_id))
        body = self.render("search/results.html", query=query, hits=hits, more=more,
                           problem=problem, states=STATE_LABELS)
        if hits:
            record_list_reads(db.session, current_actor(), "application.search", "application",
                              [hit.application_id for hit in hits],
                              detail={"search": mask(query)})
            db.session.commit()
        return body, status

    @expose("/worker/<int:worker_id>")
    def worker(self, worker_id: int):
        """A worker's newest case, for the links of the workers' list."""
        hits, _more = find_applications(db.session,
                                        _scoped(Application.worker_id == worker_id), limit=1)
        if not hits:
            abort(404)
        return redirect(url_for("cases.case", application_id=hits[0].application_id))
