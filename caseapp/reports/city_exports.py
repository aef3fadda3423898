"""The city's reports as XLSX: the same figures as their PDFs (city_builders.py), typed
cells, and the Info sheet with the audit chain head. The by-name list is the only place
the full NIK of every participant leaves the system: a bulk read with a stated purpose
(reports/meta.py PERSONAL_DATA), recorded by the report service."""
from flask_babel import gettext as _

from caseapp.cases import labels
from caseapp.reports.city_builders import (area_of, area_stem, budget_year,
                                           coverage_baseline)
from caseapp.reports.exports import _done, _info
from caseapp.reports.prepared import Prepared, safe_stem
from models import clock
from reports.city.coverage import GROWTH_PERCENT, coverage_report
from reports.city.inpres import REGULATION, inpres_report
from reports.city.participants import participant_list, participant_rows
from reports.city.periods import Semester
from reports.city.quarters import quarterly_realisation
from reports.tables import Col, Sheet


def _money(label):
    return Col(label, "money", 18)


def _n(label):
    return Col(label, "int", 12)


def participants(session, params, *, fmt, head, generated_by) -> Prepared:
    area_of(session, params)
    year = params["year"]
    where = {"kecamatan": params.get("kecamatan"), "kelurahan": params.get("kelurahan")}
    listing = participant_list(session, year, **where)
    status = {"enrolled": _("Active"), "terminated": _("Ended")}
    rows = ((p.kecamatan, p.kelurahan, p.name, p.nik, p.address, p.rt, p.rw,
             str(labels.CATEGORY_LABELS.get(p.category, p.category)), p.kpj, p.coverage_from,
             p.paid_through, status.get(p.state, p.state),
             str(labels.EXIT_LABELS.get(p.exit_reason, p.exit_reason or "")) or None,
             p.exit_month) for p in participant_rows(session, year, **where))
    sheets = [
        Sheet(_("Participants"), [
            Col(_("Kecamatan"), width=18), Col(_("Kelurahan"), width=20),
            Col(_("Name"), width=30), Col("NIK", width=19), Col(_("Address"), width=34),
            Col("RT", width=5), Col("RW", width=5), Col(_("Category"), width=26),
            Col("KPJ", width=14), Col(_("Coverage from"), "date", 12),
            Col(_("Paid through"), "date", 12), Col(_("Status"), width=10),
            Col(_("Reason the membership ended"), width=26), Col(_("Ended from"), "date", 12)],
            rows),
        Sheet(_("By kelurahan"), [Col(_("Kecamatan"), width=22), Col(_("Kelurahan"), width=24),
                                  _n(_("Participants")), _n(_("of which active"))],
              [(a.kecamatan, a.kelurahan, a.participants, a.active) for a in listing.areas]),
    ]
    return _done(fmt, sheets, _info("city_participants", params, head, generated_by),
                 safe_stem("daftar-peserta", *area_stem(params)), ("report", "city_participants"))


def budget(session, params, *, fmt, head, generated_by) -> Prepared:
    year = budget_year(session, params)
    r = quarterly_realisation(session, year, labels.CATEGORY_LABELS)
    sheets = [Sheet(_("Realisation per quarter"), [
        Col(_("Quarter"), width=10), _money(_("Appropriation (DPA)")), _money(_("Committed")),
        _money(_("Released")), _money(_("Paid (SP2D)")), _n(_("Participants paid")),
        _money(_("Committed to date")), _money(_("Paid to date")),
        _n(_("Participants paid to date")), _money(_("Remaining")),
        Col(_("Realised"), "percent", 10), _money(_("Contributions due")),
        _money(_("Of which paid")), _money(_("In arrears")), Col("SP2D", width=30)],
        [(row.quarter.label, year.appropriation, row.committed, row.released, row.paid,
          row.participants_paid, row.cumulative_committed, row.cumulative_paid,
          row.cumulative_participants, row.remaining, row.realised_share, row.due,
          row.months_paid, row.arrears, ", ".join(row.sp2d)) for row in r.rows])]
    info = _info("city_budget", params, head, generated_by) + [("DPA", year.dpa_reference)]
    return _done(fmt, sheets, info, safe_stem("realisasi-anggaran-triwulan", year.fiscal_year),
                 ("budget_year", str(year.fiscal_year)))


def coverage(session, params, *, fmt, head, generated_by) -> Prepared:
    r = coverage_report(session, params["year"], coverage_baseline())
    columns = [Col(_("Year"), width=22), _n(_("Covered in the year")),
               _n(_("Covered on 31 December")), _n(_("Previous year")),
               _n(_("Target (+%(pct)d%%)", pct=GROWTH_PERCENT)), Col(_("Achieved"), "percent", 10),
               _n(_("Basis for the next year")), Col(_("Basis is the baseline"), width=12)]

    def rows(items):
        return [(row.key, row.covered, row.year_end, row.previous, row.target, row.achieved,
                 row.basis, _("yes") if row.baseline else "") for row in items]
    sheets = [Sheet(_("Coverage per year"), columns, rows(r.years)),
              Sheet(_("By kecamatan"), [Col(_("Kecamatan"), width=22)] + columns[1:7],
                    [row[:7] for row in rows(r.by_kecamatan)])]
    info = _info("city_coverage", params, head, generated_by) + [
        (_("Baseline"), ", ".join(f"{y}: {n}" for y, n in sorted(r.baseline.items())))]
    return _done(fmt, sheets, info, safe_stem("cakupan-kepesertaan", params["year"]),
                 ("report", "city_coverage"))


def inpres(session, params, *, fmt, head, generated_by) -> Prepared:
    semester = Semester.parse(params["semester"])
    r = inpres_report(session, semester, today=clock.today(),
                      category_labels=labels.CATEGORY_LABELS)
    counts = [_n(_("Registered (submitted to BPJS)")), _n(_("Enrolled (covered)")),
              _n(_("Active (paid through)")), _n(_("Ended"))]

    def rows(items):
        return [(row.label, row.registered, row.enrolled, row.active, row.ended)
                for row in items]
    policy = r.policy
    facts = [
        (_("Regulation"), REGULATION),
        (_("Policy version in force"),
         f"{policy.name} (v{policy.id}); {policy.legal_basis}" if policy else "-"),
        (_("Decrees signed in the semester"),
         ", ".join(f"{d.sk_number} ({d.sk_date.isoformat()})" for d in r.decrees) or "-"),
        (_("Data aktual (DTSEN) as of"),
         r.dataset.as_of.isoformat() if r.dataset and r.dataset.as_of else "-"),
        (_("Active on"), r.reference_day.isoformat()),
        (_("Complaints and objections received"), r.complaints.received),
        (_("Answered within 14 days"), r.complaints.answered_in_time),
        (_("Answered late"), r.complaints.answered_late),
        (_("Still open"), r.complaints.still_open),
        (_("Overdue"), r.complaints.overdue)]
    sheets = [
        Sheet(_("Follow-up"), [Col(_("Item"), width=40), Col(_("Value"), width=70)],
              facts),
        Sheet(_("Budget"), [Col(_("Year"), "int", 8), _money(_("Budget allocated (DPA)")),
                            _money(_("Committed to the end of the semester")),
                            _money(_("Realised (SP2D) to the end of the semester"))],
              [(semester.year, r.budget.appropriation if r.budget else None, r.committed,
                r.realised)]),
        Sheet(_("By category"), [Col(_("Category"), width=34)] + counts,
              rows(r.by_category) + [(_("Total"), r.total.registered, r.total.enrolled,
                                      r.total.active, r.total.ended)]),
        Sheet(_("By kecamatan"), [Col(_("Kecamatan"), width=22)] + counts, rows(r.by_kecamatan)),
    ]
    return _done(fmt, sheets, _info("city_inpres", params, head, generated_by),
                 safe_stem("tindak-lanjut-inpres-2-2021", str(semester)),
                 ("report", "city_inpres"))


EXPORTS = {"city_participants": participants, "city_budget": budget,
           "city_coverage": coverage, "city_inpres": inpres}
