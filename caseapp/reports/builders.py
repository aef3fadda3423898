"""The PDF of each report: query (reports/*), context, HTML now, PDF later."""
from sqlalchemy import select

from caseapp.cases import labels
from caseapp.claims import report_builders as claims_desk
from caseapp.reports.labels import BATCH_STATUS_LABELS, EXCEPTION_LABELS, FLOW_LABELS
from caseapp.reports.prepared import Prepared, safe_stem
from caseapp.reports.qr import qr_svg
from caseapp.reports.render import annex_job, pdf_job
from caseapp.status.tokens import status_url
from models import Application, BudgetYear, Decree, DocumentType
from reports.audit_report import SHOWN_IN_PDF, audit_report, exception_rows
from reports.budget_realisation import budget_realisation
from reports.case_file import load_case_file, state_changes
from reports.decree_annex import CATEGORY_LETTERS, build_annex, find_decree
from reports.formatting import masked_nik
from reports.meta import ReportMeta
from reports.period import Period
from reports.program import program_report
from workflows.audit import verify_chain
from workflows.documents import current_documents
from workflows.errors import InvalidTransition, WorkflowError
from workflows.identity import check_identity
from workflows.messages import lazy_gettext as _l
from workflows.states import STATE_LABELS

TITLES = {"program": _l("Programme implementation report"),
          "decree": _l("Annex to decree (SK)"),
          "budget": _l("Budget realisation report"),
          "audit": _l("Audit report"),
          "case": _l("Case file"),
          "receipt": _l("Application receipt"),
          "letter": _l("Certificate of membership"),
          # The city's reports (issue 15), built in city_builders.py.
          "city_participants": _l("List of participants by name and address"),
          "city_budget": _l("Quarterly budget realisation"),
          "city_coverage": _l("Coverage against the Permendagri 15/2024 target"),
          "city_inpres": _l("Inpres 2/2021 follow-up")}


class ReportNotFound(WorkflowError):
    status = 404


def _meta(kind, params, head, generated_by, suffix="") -> ReportMeta:
    title = str(TITLES[kind]) + (f" {suffix}" if suffix else "")
    return ReportMeta(kind, title, generated_by, head, params=params)


def program(session, params, *, fmt, head, generated_by) -> Prepared:
    period = Period(params["from"], params["to"])
    meta = _meta("program", params, head, generated_by,
                 f"{period.first_day.isoformat()} – {period.last_day.isoformat()}")
    report = program_report(session, period)
    charts = {"flow": [(str(FLOW_LABELS[k]), n) for k, n in report.flow.items()],
              "kecamatan": [(a.kecamatan, a.participants) for a in report.by_kecamatan],
              "category": [(str(labels.CATEGORY_LABELS.get(c, c)), n)
                           for c, n, _e in report.by_category]}
    return Prepared(safe_stem("laporan-pelaksanaan", period.first_day, period.last_day),
                    ("report", "program"),
                    pdf_job("reports/program.html", meta, report=report, states=STATE_LABELS,
                            categories=labels.CATEGORY_LABELS, flow_labels=FLOW_LABELS,
                            charts=charts))


def decree(session, params, *, fmt, head, generated_by) -> Prepared:
    found = find_decree(session, params["sk_number"])
    if found is None:
        raise ReportNotFound(_l("No decree has SK number %(sk)s.", sk=params["sk_number"]))
    meta = _meta("decree", params, head, generated_by, found.sk_number or found.proposal_number)
    annex = build_annex(session, found)
    stem = safe_stem("lampiran-sk", found.sk_number) if found.sk_number else \
        safe_stem("usulan", found.proposal_number)
    return Prepared(stem, ("decree", str(found.id)),
                    annex_job(annex, meta, categories=labels.CATEGORY_LABELS,
                              letters=CATEGORY_LETTERS))


def budget(session, params, *, fmt, head, generated_by) -> Prepared:
    year = session.get(BudgetYear, params["year"])
    if year is None:
        raise ReportNotFound(_l("There is no budget year %(year)d.", year=params["year"]))
    meta = _meta("budget", params, head, generated_by, str(year.fiscal_year))
    realisation = budget_realisation(session, year, labels.CATEGORY_LABELS)
    summary = realisation.summary
    charts = {"kecamatan": [(row.label, row.committed) for row in summary.by_kecamatan],
              "category": [(row.label, row.committed) for row in summary.by_category]}
    return Prepared(safe_stem("realisasi-anggaran", year.fiscal_year),
                    ("budget_year", str(year.fiscal_year)),
                    pdf_job("reports/budget.html", meta, size="A4 landscape", r=realisation,
                            charts=charts, batch_labels=BATCH_STATUS_LABELS))


def audit(session, params, *, fmt, head, generated_by) -> Prepared:
    period = Period(params["from"], params["to"])
    meta = _meta("audit", params, head, generated_by,
                 f"{period.first_day.isoformat()} – {period.last_day.isoformat()}")
    verdict = verify_chain(session)
    report = audit_report(session, period, head)
    exceptions = {kind: exception_rows(session, period, head, kind, limit=SHOWN_IN_PDF)
                  for kind in report.exception_counts}
    return Prepared(safe_stem("laporan-audit", period.first_day, period.last_day),
                    ("report", "audit"),
                    pdf_job("reports/audit.html", meta, size="A4 landscape", report=report,
                            verdict=verdict, exceptions=exceptions, shown=SHOWN_IN_PDF,
                            exception_labels=EXCEPTION_LABELS))


def _application(session, params) -> Application:
    application = session.get(Application, params["application_id"])
    if application is None:
        raise ReportNotFound(_l("Application %(id)s does not exist.",
                                id=params["application_id"]))
    return application


def case(session, params, *, fmt, head, generated_by) -> Prepared:
    application = _application(session, params)
    meta = _meta("case", params, head, generated_by, f"#{application.id}")
    case_file = load_case_file(session, application)
    worker = application.worker
    identity = check_identity(worker.nik, worker.kk_number, worker.birth_date, worker.sex)
    return Prepared(safe_stem("berkas-permohonan", application.id),
                    ("application", str(application.id)),
                    pdf_job("reports/case.html", meta, case=case_file, application=application,
                            transitions=state_changes(session, application), worker=worker,
                            identity=identity, states=STATE_LABELS, labels=labels,
                            decree=application.decree_id and session.get(
                                Decree, application.decree_id)))


def receipt(session, params, *, fmt, head, generated_by) -> Prepared:
    """The tanda terima handed to the worker at intake: what was taken in, and a QR
    code to the public status page (caseapp/status)."""
    application = _application(session, params)
    names = dict(session.execute(select(DocumentType.code, DocumentType.name)
                                 .where(DocumentType.active.is_(True))).all())
    url = status_url(application.id)
    return Prepared(safe_stem("tanda-terima", application.id),
                    ("application", str(application.id)),
                    pdf_job("reports/receipt.html",
                            _meta("receipt", params, head, generated_by, f"#{application.id}"),
                            application=application, worker=application.worker,
                            nik=masked_nik(application.worker.nik),
                            documents=[names.get(code, code) for code
                                       in current_documents(session, application)],
                            taken_in_by=application.taken_in_by.full_name,
                            categories=labels.CATEGORY_LABELS, status_url=url,
                            qr=qr_svg(url)))


def letter(session, params, *, fmt, head, generated_by) -> Prepared:
    """The surat keterangan kepesertaan: only for a current membership (enrolled, with
    its KPJ); an ended one would certify what no longer holds."""
    application = _application(session, params)
    if application.state != "enrolled" or not application.kpj:
        raise InvalidTransition(_l("The membership letter is made once the worker is "
                                   "enrolled with BPJS Ketenagakerjaan (has a KPJ number) "
                                   "and while the membership lasts."))
    return Prepared(safe_stem("surat-keterangan-kepesertaan", application.id),
                    ("application", str(application.id)),
                    pdf_job("reports/letter.html",
                            _meta("letter", params, head, generated_by, f"#{application.id}"),
                            application=application, worker=application.worker,
                            nik=masked_nik(application.worker.nik),
                            decree=application.decree))


BUILDERS = {"program": program, "decree": decree, "budget": budget, "audit": audit,
            "case": case, "receipt": receipt, "letter": letter}
# The claims desk's papers (caseapp/claims/report_builders.py): a claim's letter, claims paid.
TITLES.update(claims_desk.TITLES)
BUILDERS.update(claims_desk.BUILDERS)
