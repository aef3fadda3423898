"""The city's reports (issue 15 item 6) as PDFs, and their parameters: the by-name list
of participants, the quarterly budget realisation, coverage against the Permendagri
15/2024 target and the Inpres 2/2021 follow-up table. Registered beside the others in
caseapp/reports/service.py; the XLSX of each is in city_exports.py."""
import re

from flask import current_app

from caseapp.cases import labels
from caseapp.reports.builders import ReportNotFound, TITLES
from caseapp.reports.prepared import Prepared, safe_stem
from caseapp.reports.render import pdf_job
from models import BudgetYear, Kecamatan, Kelurahan, clock
from reports.city.coverage import GROWTH_PERCENT, coverage_report, parse_baseline
from reports.city.inpres import REGULATION, inpres_report
from reports.city.participants import participant_list, participant_rows
from reports.city.periods import Semester
from reports.city.quarters import quarterly_realisation
from reports.formatting import masked_nik, percent, thousands
from reports.meta import ReportMeta
from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l

KINDS = ("city_participants", "city_budget", "city_coverage", "city_inpres")
_CODE = {"kecamatan": re.compile(r"^\d{6}$"), "kelurahan": re.compile(r"^\d{10}$")}


def _year(raw: dict) -> int:
    try:
        year = int(str(raw.get("year", "")).strip())
    except ValueError:
        raise InvalidInput(_l("The year is not a number."))
    if not 2000 <= year <= 2100:
        raise InvalidInput(_l("The year is not a number."))
    return year


def parse_params(kind: str, raw: dict) -> dict:
    """Validated parameters of a city report from form or command-line values."""
    if kind == "city_inpres":
        semester = Semester.parse(raw.get("semester"))
        if semester is None or not 2000 <= semester.year <= 2100:
            raise InvalidInput(_l("Give the semester as YYYY-S1 (January-June) or YYYY-S2 "
                                  "(July-December)."))
        return {"semester": str(semester)}
    params = {"year": _year(raw)}
    if kind == "city_participants":
        for key in ("kecamatan", "kelurahan"):
            value = str(raw.get(key) or "").strip()
            if value and not _CODE[key].match(value):
                raise InvalidInput(_l("Choose the kecamatan or kelurahan from the list."))
            if value:
                params[key] = value
    return params


def _meta(kind, params, head, generated_by, suffix) -> ReportMeta:
    return ReportMeta(kind, f"{TITLES[kind]} {suffix}", generated_by, head, params=params)


def area_of(session, params) -> tuple[Kecamatan | None, Kelurahan | None]:
    """The kecamatan and kelurahan asked for, refused when unknown or not matching."""
    kecamatan = kelurahan = None
    if params.get("kecamatan"):
        kecamatan = session.get(Kecamatan, params["kecamatan"])
        if kecamatan is None:
            raise ReportNotFound(_l("There is no kecamatan %(code)s.", code=params["kecamatan"]))
    if params.get("kelurahan"):
        kelurahan = session.get(Kelurahan, params["kelurahan"])
        if kelurahan is None or (kecamatan and kelurahan.kecamatan_code != kecamatan.code):
            raise ReportNotFound(_l("There is no kelurahan %(code)s in that kecamatan.",
                                    code=params["kelurahan"]))
    return kecamatan, kelurahan


def area_stem(params) -> list:
    return [params["year"], params.get("kelurahan") or params.get("kecamatan") or "kota"]


def budget_year(session, params) -> BudgetYear:
    year = session.get(BudgetYear, params["year"])
    if year is None:
        raise ReportNotFound(_l("There is no budget year %(year)d.", year=params["year"]))
    return year


def coverage_baseline() -> dict[int, int]:
    try:
        return parse_baseline(current_app.config.get("COVERAGE_BASELINE"))
    except ValueError:
        raise InvalidInput(_l("COVERAGE_BASELINE is not a list of YEAR:COUNT pairs; ask the "
                              "administrator to correct it."))


def participants(session, params, *, fmt, head, generated_by) -> Prepared:
    """The PDF masks the NIK to its last four digits; the XLSX carries it whole."""
    area_of(session, params)
    year = params["year"]
    listing = participant_list(session, year, kecamatan=params.get("kecamatan"),
                               kelurahan=params.get("kelurahan"))
    place = listing.kelurahan or listing.kecamatan
    meta = _meta("city_participants", params, head, generated_by,
                 f"{year}" + (f" – {place.name}" if place else ""))
    rows = participant_rows(session, year, kecamatan=params.get("kecamatan"),
                            kelurahan=params.get("kelurahan"))
    return Prepared(safe_stem("daftar-peserta", *area_stem(params)),
                    ("report", "city_participants"),
                    pdf_job("reports/city_participants.html", meta, size="A4 landscape",
                            listing=listing, rows=rows, place=place, mask=masked_nik,
                            categories=labels.CATEGORY_LABELS, exits=labels.EXIT_LABELS))


def budget(session, params, *, fmt, head, generated_by) -> Prepared:
    year = budget_year(session, params)
    r = quarterly_realisation(session, year, labels.CATEGORY_LABELS)
    return Prepared(safe_stem("realisasi-anggaran-triwulan", year.fiscal_year),
                    ("budget_year", str(year.fiscal_year)),
                    pdf_job("reports/city_budget.html",
                            _meta("city_budget", params, head, generated_by, year.fiscal_year),
                            size="A4 landscape", r=r, percent=percent))


def coverage(session, params, *, fmt, head, generated_by) -> Prepared:
    r = coverage_report(session, params["year"], coverage_baseline())
    return Prepared(safe_stem("cakupan-kepesertaan", params["year"]),
                    ("report", "city_coverage"),
                    pdf_job("reports/city_coverage.html",
                            _meta("city_coverage", params, head, generated_by, params["year"]),
                            r=r, growth=GROWTH_PERCENT, num=thousands, percent=percent,
                            baseline=", ".join(f"{year}: {thousands(n)}"
                                               for year, n in sorted(r.baseline.items()))))


def inpres(session, params, *, fmt, head, generated_by) -> Prepared:
    semester = Semester.parse(params["semester"])
    r = inpres_report(session, semester, today=clock.today(),
                      category_labels=labels.CATEGORY_LABELS)
    return Prepared(safe_stem("tindak-lanjut-inpres-2-2021", str(semester)),
                    ("report", "city_inpres"),
                    pdf_job("reports/city_inpres.html",
                            _meta("city_inpres", params, head, generated_by, str(semester)),
                            size="A4 landscape", r=r, regulation=REGULATION))


BUILDERS = {"city_participants": participants, "city_budget": budget,
            "city_coverage": coverage, "city_inpres": inpres}
