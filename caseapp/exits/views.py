"""The refund ledger and the desil list (menu "Membership"). Each POST calls one verb
and commits once; the lists name participants, so each showing is an audited read."""
import hashlib

from flask import Response, abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _, ngettext

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.labels import EXIT_LABELS
from caseapp.exits.forms import LedgerFilterForm, RefundForm, month_value
from caseapp.extensions import db
from caseapp.i18n import translated
from caseapp.refusals import refuse
from models import RefundLine, Role, clock
from reports.contributions import add_months
from reports.meta import read_chain_head
from reports.refund_ledger import ledger_lines, ledger_sheets, year_totals
from reports.xlsx import write_xlsx
from workflows.audit.access import record_list_reads, record_read
from workflows.desil_exits import desil_above_cutoff, end_for_desil
from workflows.errors import InvalidInput, WorkflowError
from workflows.refunds import record_refund

ROLES = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)


def _statuses() -> dict:
    return {"owed": _("owed by BPJS"), "refunded": _("refunded")}


def _chosen(filters: LedgerFilterForm) -> tuple[str | None, int | None]:
    """The ledger filter in the URL, as ``(status, year)``; None where not chosen."""
    return (filters.status.data if filters.validate() else "") or None, filters.chosen_year()


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form.")


class RefundsView(SecureView):
    roles = ROLES

    def render_index(self, status: int = 200):
        filters = LedgerFilterForm(request.args)
        status_chosen, year = _chosen(filters)
        lines = ledger_lines(db.session, status=status_chosen, year=year)
        totals = year_totals(db.session, status=status_chosen, year=year)
        actor = current_actor()
        ids = sorted({line.application_id for line in lines})
        if ids:
            record_list_reads(db.session, actor, "refunds.list", "application", ids)
        body = self.render("exits/refunds.html", lines=lines, totals=totals, filters=filters,
                           statuses=_statuses(), reasons=EXIT_LABELS, today=clock.today(),
                           refund_form=RefundForm(formdata=None),
                           can_record=actor.has_role(Role.CASEWORKER))
        db.session.commit()
        return body, status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/<int:line_id>/refund", methods=("POST",))
    def refund(self, line_id: int):
        if not current_actor().has_role(Role.CASEWORKER):
            abort(403)  # readers of the ledger record nothing (record_refund says so too)
        line = db.session.get(RefundLine, line_id)
        if line is None:
            abort(404)

        def work():
            form = RefundForm()
            if not form.validate():
                raise InvalidInput(_first_error(form))
            return record_refund(db.session, line, amount=form.amount.data,
                                 received_on=form.received_on.data,
                                 bpjs_reference=form.bpjs_reference.data, actor=current_actor())
        return self.commit_verb(
            work, refused=self.render_index, location=url_for(".index"),
            message=lambda done: _("The refund of %(month)s for application %(id)s was "
                                   "recorded.", month=f"{done.month:%Y-%m}",
                                   id=done.application_id))

    @expose("/export.xlsx", methods=("POST",))
    def export(self):
        """Every line (with the filter) and the totals per year as XLSX, with the audit
        chain head; names and KPJs in it make it a bulk read with a stated purpose."""
        status, year = _chosen(LedgerFilterForm(request.args))
        actor = current_actor()
        head = read_chain_head(db.session)
        lines = ledger_lines(db.session, status=status, year=year, limit=None)
        totals = year_totals(db.session, status=status, year=year)
        labels = {"lines": _("Refund lines"), "totals": _("Totals per year"),
                  "application": _("Application"), "name": _("Name"), "month": _("Month"),
                  "amount": _("Paid (Rp)"), "year": _("Budget year"),
                  "batch": _("Payment batch"), "reason": _("Exit reason"),
                  "status": _("Status"), "refunded_amount": _("Refunded (Rp)"),
                  "refunded_on": _("Received on"), "reference": _("BPJS reference"),
                  "count": _("Lines"), "paid": _("Paid (Rp)"), "owed": _("Owed by BPJS (Rp)"),
                  "written_off": _("Not refunded, by agreement (Rp)"),
                  "reasons": translated(EXIT_LABELS),
                  "statuses": _statuses()}
        info = [(_("Report"), _("Refund ledger")),
                (_("Parameters"), f"status={status or '*'}, year={year or '*'}"),
                (_("Generated by"), actor.name),
                (_("Audit chain head at generation (seq)"), head.seq),
                (_("Audit chain head at generation (hash)"), head.hash),
                ("PEMERINTAH KOTA BEKASI", "DINAS KETENAGAKERJAAN")]
        content = write_xlsx(ledger_sheets(lines, totals, labels=labels), info)
        name = f"buku-pengembalian-iuran-{clock.today():%Y%m%d}.xlsx"
        try:
            record_read(db.session, actor, "refunds.export", entity_type="refund_line",
                        purpose=request.form.get("purpose"), bulk=True,
                        detail={"file_name": name, "lines": len(lines),
                                "sha256": hashlib.sha256(content).hexdigest(),
                                "chain_head_seq": head.seq, "chain_head_hash": head.hash})
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status)
        return Response(content, mimetype="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}"})


class DesilExitsView(SecureView):
    roles = ROLES

    def render_index(self, status: int = 200):
        today, actor = clock.today(), current_actor()
        check = desil_above_cutoff(db.session, today)
        if check.rows:
            record_list_reads(db.session, actor, "desil_exits.list", "application",
                              [row.application_id for row in check.rows])
        body = self.render("exits/desil.html", check=check, today=today,
                           next_month=add_months(today, 1),
                           can_end=actor.has_role(Role.CASEWORKER))
        db.session.commit()
        return body, status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/end", methods=("POST",))
    def end(self):
        def work():
            raw = request.form.getlist("application_id")
            if not all(value.isdigit() and len(value) < 10 for value in raw):
                raise InvalidInput(_("Tick the participants in the list."))
            return end_for_desil(db.session, [int(value) for value in raw],
                                 effective_month=month_value(request.form.get("effective_month")),
                                 note=request.form.get("note", ""), actor=current_actor(),
                                 on=clock.today())
        return self.commit_verb(
            work, refused=self.render_index, location=url_for(".index"),
            message=lambda n: ngettext(
                "%(num)d membership ended: desil above the cut-off.",
                "%(num)d memberships ended: desil above the cut-off.", n))
