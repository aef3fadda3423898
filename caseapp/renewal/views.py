"""The renewal worklist of a year: re-check every participant of the year before, see
who continues, who waits for the new decree, and end with the reason those who do not
continue. Each POST calls one verb and commits once."""
from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView, chosen_year
from caseapp.cases.labels import EXIT_LABELS, RULE_LABELS
from caseapp.extensions import db
from models import Application, Role, clock
from reports.renewal import renewal_overview
from workflows.renewal import end_at_year_end, recheck_renewals, renewal_opens

# Why a membership ends at the turn of the year (the exit reasons that fit it). A death
# is recorded on the case page with its date (the month after it is the first not owed).
YEAR_END_REASONS = ("tidak_memenuhi_syarat", "akhir_tahun_program", "pindah_domisili",
                    "pekerja_formal", "penghasilan_di_atas_batas", "permintaan_sendiri",
                    "nik_nonaktif", "peserta_mandiri")


def _year() -> int:
    """The year renewals go into: the next one from October, else the current one."""
    today = clock.today()
    return chosen_year(today.year + 1 if today >= renewal_opens(today.year + 1) else today.year)


class RenewalView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)

    def render_index(self, status: int = 200):
        year = _year()
        return self.render("renewal/index.html", year=year,
                           overview=renewal_overview(db.session, year),
                           opens=renewal_opens(year), open_now=clock.today() >= renewal_opens(year),
                           rule_labels=RULE_LABELS, exit_labels=EXIT_LABELS,
                           reasons=YEAR_END_REASONS), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/recheck", methods=("POST",))
    def recheck(self):
        year = _year()
        return self.commit_verb(
            lambda: recheck_renewals(db.session, year=year, actor=current_actor()),
            refused=self.render_index, location=url_for(".index", year=year),
            message=lambda outcome: _(
                "%(n)d participants re-checked for %(year)d: %(ok)d ready for the decree, "
                "%(failed)d with a rule that no longer holds.", n=outcome.renewals, year=year,
                ok=outcome.eligible, failed=outcome.renewals - outcome.eligible))

    @expose("/<int:application_id>/end", methods=("POST",))
    def end(self, application_id: int):
        year = _year()
        previous = db.session.get(Application, application_id)
        if previous is None:
            abort(404)
        return self.commit_verb(
            lambda: end_at_year_end(db.session, previous, year=year,
                                    reason_code=request.form.get("exit_reason", ""),
                                    note=request.form.get("note", ""), actor=current_actor()),
            refused=self.render_index, location=url_for(".index", year=year),
            message=_("The membership of application %(id)s ends on 31 December %(year)d.",
                      id=application_id, year=year - 1))
