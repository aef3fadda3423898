"""Read-only lists of workers and applications; changes go through workflow pages.
Opening one record's details page is an audited read of personal data."""

from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from caseapp.actor import current_actor
from caseapp.admin.base import ReadOnlyModelView
from caseapp.admin.lookup import LookupSearch
from caseapp.cases.scope import within
from caseapp.cases.labels import CATEGORY_LABELS, CHANNEL_LABELS, SEX_LABELS
from caseapp.search.terms import application_condition, worker_condition
from models import Application, Role, Worker
from workflows.audit.access import record_list_reads, record_read
from workflows.audit.masking import mask
from workflows.messages import lazy_gettext as _l
from workflows.states import STATE_LABELS


class ReadRecordedDetails:
    """A details page shows one person's data, so opening it is an audit event
    (UU PDP Pasal 31), as is each row a search found; browsing the lists is not.
    Hooked on render, where the shown records are at hand, so nothing is recorded for
    a missing record or a failed page."""

    read_action: str

    def read_detail(self, model) -> dict | None:
        return None

    def render(self, template, **kwargs):
        body = super().render(template, **kwargs)
        if template in (self.details_template, self.details_modal_template):
            model = kwargs["model"]
            record_read(self.session, current_actor(), self.read_action, entity=model,
                        detail=self.read_detail(model))
            self.session.commit()
        elif template == self.list_template and kwargs.get("search") and kwargs.get("data"):
            # A search (by NIK or name) looks people up; the term (often a NIK) is masked.
            record_list_reads(self.session, current_actor(), f"{self.read_action}_search",
                              self.model.__tablename__,
                              [self.get_pk_value(row) for row in kwargs["data"]],
                              detail={"search": mask(kwargs["search"])})
            self.session.commit()
        return body


class PartnerScoped:
    """A partner lists, counts and opens only the rows of its scope: the same condition
    as the worklists and the search (workflows.partners.scope_filter)."""

    def _limited(self, query):
        limit = within(self.model)
        return query if limit is None else query.filter(limit)

    def get_query(self):
        return self._limited(super().get_query())

    def get_count_query(self):
        return self._limited(super().get_count_query())

    def get_one(self, id):
        row = super().get_one(id)
        if row is not None and within(self.model) is not None and \
                self._limited(self.session.query(self.model).filter(
                    self.model.id == row.id)).first() is None:
            return None
        return row


def _case_link(view, context, model, name):
    """The application's number leads to its case page, where the work is done."""
    return Markup('<a href="{}" data-testid="case-link">{}</a>').format(
        url_for("cases.case", application_id=model.id), model.id)


def _worker_case_link(view, context, model, name):
    """The worker's name leads to their newest case."""
    return Markup('<a href="{}" title="{}" data-testid="case-link">{}</a>').format(
        url_for("search.worker", worker_id=model.id), _l("Open the case"), model.full_name)


class ApplicationView(LookupSearch, PartnerScoped, ReadRecordedDetails, ReadOnlyModelView):
    read_action = "application.view"
    lookup_condition = staticmethod(application_condition)
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value, Role.PARTNER.value)
    column_list = ("id", "worker.full_name", "worker.kelurahan.name", "program_year", "state",
                   "intake_channel", "taken_in_by.username", "submitted_at")
    column_details_list = column_list + ("created_at", "state_changed_at")
    column_searchable_list = ("id",)  # turns the box on; LookupSearch reads the term
    column_filters = ("state", "program_year", "intake_channel", "worker.kelurahan.name")
    column_default_sort = ("id", True)
    column_codes = {"state": STATE_LABELS, "intake_channel": CHANNEL_LABELS}
    column_formatters = {"id": _case_link}
    column_labels = {"id": _l("No."), "worker.full_name": _l("Worker"),
                     "worker.kelurahan.name": _l("Kelurahan"), "program_year": _l("Year"),
                     "state": _l("Status"), "intake_channel": _l("Channel"),
                     "taken_in_by.username": _l("Taken in by"),
                     "submitted_at": _l("Submitted at"), "created_at": _l("Created at"),
                     "state_changed_at": _l("Status since")}

    def get_query(self):
        """Each row's worker and kelurahan in the same query, not one query a row."""
        return super().get_query().options(
            joinedload(Application.worker).joinedload(Worker.kelurahan),
            joinedload(Application.taken_in_by))

    def read_detail(self, model) -> dict:
        return {"worker_id": model.worker_id}


class WorkerView(LookupSearch, PartnerScoped, ReadRecordedDetails, ReadOnlyModelView):
    read_action = "worker.view"
    lookup_condition = staticmethod(worker_condition)
    roles = (Role.CASEWORKER.value, Role.AUDITOR.value, Role.PARTNER.value)
    column_list = ("id", "nik", "full_name", "sex", "birth_date", "kelurahan.name", "category",
                   "occupation")
    column_details_list = column_list + ("kk_number", "birth_place", "address", "rt", "rw",
                                         "phone", "monthly_income", "created_at")
    column_searchable_list = ("nik", "full_name")  # LookupSearch: exact NIK/KK, or a name
    column_filters = ("category", "sex", "kelurahan.name")
    column_default_sort = ("id", True)
    column_codes = {"category": CATEGORY_LABELS, "sex": SEX_LABELS}
    column_formatters = {"full_name": _worker_case_link}
    column_money = ("monthly_income",)
    column_labels = {"id": _l("No."), "nik": "NIK", "full_name": _l("Name"), "sex": _l("Sex"),
                     "birth_date": _l("Birth date"), "kelurahan.name": _l("Kelurahan"),
                     "category": _l("Category"), "occupation": _l("Occupation"),
                     "kk_number": _l("KK number"), "birth_place": _l("Birth place"),
                     "address": _l("Address"), "rt": "RT", "rw": "RW", "phone": _l("Phone"),
                     "monthly_income": _l("Monthly income (Rp)"), "created_at": _l("Registered at")}
