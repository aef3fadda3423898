"""Who accessed a worker: every record about them and every read of a shared list naming
them, one definition shared with the data subject's processing trail, labelled read,
change or attempt; and subject-export file names that cannot leave their folder."""
import io
import re
import zipfile
from datetime import date

from sqlalchemy import select

from caseapp.reports.service import generate, record_download
from models import Application, AuditEvent, Decree, Document, DocumentType, DuplicateFlag
from reports.audit_trail import access_kind, worker_access
from reports.subject_export import collect_subject_data
from tests.bpjs_factories import YEAR, approved, budget
from tests.factories import (DOCUMENT_DIR, dtsen_csv, enrol, make_application, make_budget,
                             make_submitted, make_worker, png_bytes)
from tests.helpers import csrf_token, login
from tests.subject_factories import make_request
from workflows.approval import send_back_application
from workflows.audit import record_change
from workflows.audit.access import record_read
from workflows.contributions.generation import generate_contributions
from workflows.documents import read_document, store_document
from workflows.imports.datasets import import_dtsen
from workflows.subject_requests import export_subject_data

PURPOSE = "Pemeriksaan Inspektorat atas kasus ini"


def _listed(session, worker) -> list[AuditEvent]:
    page = worker_access(session, worker.id, page_size=100_000)
    assert page.next_after is None
    return page.events


def _seqs(session, worker) -> set[int]:
    return {e.seq for e in _listed(session, worker)}


def _bulk_read(session, staff, action, entity):
    return record_read(session, staff["cw1"], action, entity=entity, purpose=PURPOSE,
                       bulk=True).seq


def test_data_subject_requests_are_listed(session, staff):
    mine, other = make_worker(session, staff["cw1"]), make_worker(session, staff["cw1"])
    request = make_request(session, staff["cw1"], mine)
    elsewhere = make_request(session, staff["cw1"], other)
    shown = record_read(session, staff["cw2"], "subject_request.view", entity=request)
    seen = {(e.action, e.entity_type, e.entity_id) for e in _listed(session, mine)}
    assert {("subject_request.record", "data_subject_request", str(request.id)),
            ("subject_request.view", "data_subject_request", str(request.id))} <= seen
    assert ("data_subject_request", str(elsewhere.id)) not in {(t, i) for _a, t, i in seen}
    assert shown.seq not in _seqs(session, other)
    trail = collect_subject_data(session, mine, request=request).trail
    assert [e.seq for e in trail] == sorted(_seqs(session, mine))  # one definition


def _annex(session, staff, decree_id) -> set[int]:
    """Generate and download a decree's annex; the seqs of both events."""
    session.commit()  # the report service ends its read transaction with a rollback
    sk_number = session.get(Decree, decree_id).sk_number
    result = generate(session, "decree", "csv", {"sk_number": sk_number}, actor=staff["head"],
                      purpose="Rapat evaluasi program triwulan")
    record_download(session, result, actor=staff["head"], destination="http")
    session.commit()
    return set(session.execute(select(AuditEvent.seq).where(
        AuditEvent.entity_type == "decree", AuditEvent.entity_id == str(decree_id),
        AuditEvent.action.in_(("report.generate", "report.download")))).scalars())


def test_reads_of_a_decree_whose_list_named_a_reserve_sent_back_are_listed(client, session,
                                                                           staff):
    """The reserve has no ledger row, and sending it back cleared its decree link."""
    budget(session, staff, places=1)
    cases = approved(session, staff, 2)
    (reserve,) = [a for a in cases if a.state == "waitlisted"]
    decree_id = reserve.decree_id
    send_back_application(session, reserve, reason="Dokumen KK perlu diperiksa ulang",
                          actor=staff["head"])
    (later,) = approved(session, staff, 1)  # a decree not naming the reserve
    annex, other_annex = _annex(session, staff, decree_id), _annex(session, staff,
                                                                   later.decree_id)
    login(client, "head")
    assert client.get(f"/approval/decrees/{decree_id}").status_code == 200
    viewed = session.scalar(select(AuditEvent.seq).where(AuditEvent.action == "decree.view"))
    listed = _seqs(session, session.get(Application, reserve.id).worker)
    assert len(annex) == 2 and annex | {viewed} <= listed
    assert not other_annex & listed
    created = session.scalar(select(AuditEvent.seq).where(
        AuditEvent.action == "decree.sign", AuditEvent.entity_id == str(decree_id)))
    assert created not in listed  # other events on a shared list are not about one worker


def test_a_flag_on_someone_elses_application_naming_the_worker_is_listed(session, staff):
    mine = make_submitted(session, staff["cw1"])
    twin = make_submitted(session, staff["cw1"], kk_number=mine.worker.kk_number)
    third = make_submitted(session, staff["cw1"])
    make_submitted(session, staff["cw1"], kk_number=third.worker.kk_number)
    naming_me, elsewhere = (session.execute(select(DuplicateFlag.id).where(
        DuplicateFlag.other_worker_id == w.worker_id)).scalar_one() for w in (mine, third))
    flagged = {e.entity_id for e in _listed(session, mine.worker)
               if e.entity_type == "duplicate_flag"}
    assert flagged == {str(naming_me)}
    assert str(naming_me) in {e.entity_id for e in _listed(session, twin.worker)
                              if e.entity_type == "duplicate_flag"}
    assert str(elsewhere) not in flagged


def _rejected_dtsen(session, staff, worker):
    """A DTSEN file naming the worker twice: the problem report quotes the NIK."""
    run = import_dtsen(session, dtsen_csv([(worker, 3), (worker, 3)]),
                       file_name="dtsen-ganda.csv", as_of=date(2026, 1, 1),
                       actor=staff["cw1"]).run
    assert run.status == "rejected" and worker.nik in run.error_report
    return run


def test_import_problem_reports_quoting_the_nik_are_listed(session, staff):
    mine, other = make_worker(session, staff["cw1"]), make_worker(session, staff["cw1"])
    run, other_run = _rejected_dtsen(session, staff, mine), _rejected_dtsen(session, staff,
                                                                            other)
    read = _bulk_read(session, staff, "import.report_download", run)
    other_read = _bulk_read(session, staff, "import.report_download", other_run)
    listed = _seqs(session, mine)
    assert read in listed and other_read not in listed
    rejected = session.scalar(select(AuditEvent.seq).where(
        AuditEvent.action == "import.rejected", AuditEvent.entity_id == str(run.id)))
    assert rejected not in listed


def test_reconciliation_reports_of_batches_holding_the_workers_months_are_listed(session,
                                                                                 staff):
    make_budget(session, staff["admin1"], places=2)
    (earlier,) = enrol(session, staff, 1, coverage_start=date(2026, 1, 1))
    (mine,) = enrol(session, staff, 1, coverage_start=date(2026, 5, 1))
    before = generate_contributions(session, first_month=date(2026, 2, 1), months=1,
                                    actor=staff["cw1"])  # only the earlier participant
    holding = generate_contributions(session, first_month=date(2026, 5, 1), months=1,
                                     actor=staff["cw1"])
    read = _bulk_read(session, staff, "contributions.report_download", holding)
    other_read = _bulk_read(session, staff, "contributions.report_download", before)
    listed = _seqs(session, mine.worker)
    assert read in listed and other_read not in listed
    assert {read, other_read} <= _seqs(session, earlier.worker)


def test_refused_attempts_on_a_shared_list_are_listed(client, session, staff):
    mine = make_worker(session, staff["cw1"])
    run = _rejected_dtsen(session, staff, mine)
    session.commit()
    login(client, "audit1")  # auditors may not download an import's problem report
    token = csrf_token(client, "/audit/")
    response = client.post(f"/imports/{run.id}/report.csv",
                           data={"csrf_token": token, "purpose": PURPOSE})
    assert response.status_code == 403
    (attempt,) = [e for e in _listed(session, mine) if e.action.endswith((".refused",
                                                                          ".denied"))]
    assert (attempt.entity_type, attempt.entity_id) == ("import_run", str(run.id))


def test_document_file_names_in_the_export_cannot_leave_their_folder(session, staff,
                                                                     tmp_path):
    kind = DocumentType(code="../../x", name="Lain-lain", required=False)
    session.add(kind)
    record_change(session, staff["admin1"], "reference.create", kind, created=True)
    application = make_application(session, staff["cw1"])
    store_document(session, application, document_type="../../x", original_name="a.png",
                   data=png_bytes(), storage_dir=DOCUMENT_DIR, actor=staff["cw1"])
    content = export_subject_data(session, make_request(session, staff["cw1"], application.worker),
                                  storage_dir=DOCUMENT_DIR, actor=staff["cw2"]).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "out")
    documents = [n for n in names if n.startswith("documents/")]
    assert len(documents) == 1 and re.fullmatch(r"documents/\d+-x\.png", documents[0])
    for name in names:
        assert ".." not in name and "\\" not in name and name.count("/") <= 1, name
    assert {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")
            if p.is_file()} == set(names)


def test_the_worker_page_labels_reads_changes_and_attempts(client, session, staff):
    budget(session, staff)
    (mine,) = approved(session, staff, 1)
    document = session.execute(select(Document).where(
        Document.application_id == mine.id)).scalars().first()
    read_document(session, document, storage_dir=DOCUMENT_DIR, actor=staff["cw2"])
    annex = _annex(session, staff, mine.decree_id)
    budget_report = generate(session, "budget", "xlsx", {"year": YEAR}, actor=staff["head"])
    record_download(session, budget_report, actor=staff["head"], destination="http")
    session.commit()
    login(client, "cw1")  # verifying a case one took in is refused
    token = csrf_token(client, "/cases/")
    assert client.post(f"/cases/{mine.id}/verify", data={"csrf_token": token}
                       ).status_code in (403, 409)
    client.post("/auth/logout", data={"csrf_token": token})
    login(client, "audit1")
    html = client.get(f"/audit/worker/{mine.worker_id}").get_data(as_text=True)
    kinds = {int(seq): kind for seq, kind in re.findall(
        r'<tr data-seq="(\d+)">.*?data-kind="(\w+)"', html, re.S)}
    events = session.execute(select(AuditEvent).where(AuditEvent.seq.in_(kinds))).scalars()
    shown = {(e.action, e.entity_type, kinds[e.seq]) for e in events}
    assert {("document.read", "document", "read"), ("report.generate", "decree", "read"),
            ("report.download", "decree", "read"), ("application.approve", "application",
                                                    "change"),
            ("cases.verify.refused", "application", "attempt")} <= shown
    assert annex <= set(kinds)
    assert '<td data-kind="attempt"><span class="badge badge-danger">' in html
    budget_events = session.execute(select(AuditEvent).where(
        AuditEvent.action.in_(("report.generate", "report.download")),
        AuditEvent.entity_type != "decree")).scalars().all()
    assert len(budget_events) == 2 and not {e.seq for e in budget_events} & set(kinds)
    assert {access_kind(e) for e in budget_events} == {"change"}  # no personal data
