"""One box, one step to the case: what a term is looked up as is caseapp/search/terms.py
(the lists' boxes read it the same way). One worker found opens their newest case;
several are listed. A listed row shows a person, so each is an audited read, with the
term masked (it is often a NIK)."""
from flask import abort, redirect, request, url_for
from flask_admin import expose
from sqlalchemy import and_

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.scope import within
from caseapp.cases.views import CasesView
from caseapp.extensions import db
from caseapp.search.terms import joined_condition, read_term
from models import Application
from reports.search import find_applications
from workflows.audit.access import record_list_reads
from workflows.audit.masking import mask
from workflows.states import STATE_LABELS


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
            term = read_term(query)
            problem = term.problem
            if problem:
                status = 422
            else:
                hits, more = find_applications(db.session, _scoped(joined_condition(term)))
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
