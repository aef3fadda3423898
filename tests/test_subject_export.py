"""The access export (UU PDP Pasal 32): everything held about one worker in a ZIP,
tied to an open access request, every document read and the export audited."""
import csv
import hashlib
import io
import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, Base
from tests.factories import (DOCUMENT_DIR, dtsen_csv, kpj_of, make_budget, make_submitted,
                             make_verified, make_worker, png_bytes)
from tests.helpers import csrf_token, login
from tests.subject_factories import RESIDENT, dtsen_only, make_request
from workflows.approval import approve_batch
from workflows.bpjs.registration import create_registration_batch
from workflows.complaints import file_complaint
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.errors import InvalidTransition, NotAllowed
from workflows.imports.datasets import import_dtsen, import_participants
from workflows.states import apply_transition
from workflows.subject_requests import export_subject_data, resolve_request


def _member(session, staff):
    """An enrolled, paid participant on a decree with someone else, whose KK a later
    applicant shares (a possible-duplicate flag naming them), also on a payer list."""
    make_budget(session, staff["admin1"], places=5)
    member = make_verified(session, staff["cw1"], staff["cw2"])
    neighbour = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[member.id, neighbour.id],
                  sk_number="SK-PDP-1", sk_date=date(2026, 1, 5), actor=staff["head"])
    create_registration_batch(session, fiscal_year=2026, actor=staff["cw1"],
                              today=date(2026, 1, 10))
    member = session.get(Application, member.id)
    member.kpj, member.coverage_start = kpj_of(member.id), date(2026, 2, 1)
    apply_transition(session, member, "enrol", actor=staff["cw1"])
    batch = generate_contributions(session, first_month=date(2026, 2, 1), months=1,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-PDP-1", sp2d_date=date(2026, 2, 3),
                   invoice_number="INV-1", actor=staff["cw1"])
    worker = member.worker
    payers = f"nik,nama,sumber\n{worker.nik},{worker.full_name},PROVINSI\n".encode()
    import_participants(session, io.BytesIO(payers), file_name="penjamin.csv",
                        as_of=date(2026, 3, 1), actor=staff["cw1"])
    make_submitted(session, staff["cw1"], kk_number=worker.kk_number)
    return member


def _access(session, staff, subject, kind="access"):
    return make_request(session, staff["cw1"], subject, kind=kind)


def _export(session, staff, request, user="cw2"):
    return export_subject_data(session, request, storage_dir=DOCUMENT_DIR, actor=staff[user])


def _unzip(content: bytes) -> tuple[dict, list[dict], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(files.pop("data.json"))
    trail = list(csv.DictReader(io.StringIO(files.pop("processing_trail.csv")
                                            .decode("utf-8-sig"))))
    return data, trail, files


def _audit_count(session):
    return session.scalar(select(func.count()).select_from(AuditEvent))


def test_the_zip_holds_every_table_concerning_the_worker(session, staff):
    member = _member(session, staff)
    worker = member.worker
    request = _access(session, staff, worker)
    data, _trail, files = _unzip(_export(session, staff, request).content)

    assert data["export"]["request"] == request.id
    assert data["worker"]["nik"] == worker.nik and data["worker"]["full_name"] == worker.full_name
    (application,) = data["application"]
    assert (application["id"], application["state"], application["kpj"],
            application["coverage_start"]) == (member.id, "enrolled", kpj_of(member.id),
                                               "2026-02-01")
    assert "exit_reason" in application and "exit_month" in application
    states = [t["to_state"] for t in data["application_transition"]]
    assert states == ["draft", "submitted", "verified", "approved", "submitted_to_bpjs",
                      "enrolled"]
    (evaluation,) = data["eligibility_evaluation"]
    assert evaluation["eligible"] is True and evaluation["results"]["rules"]
    (dtsen,) = data["dtsen_record"]
    assert dtsen["nik"] == worker.nik and dtsen["desil"] == 3 and dtsen["dataset_as_of"]
    (payer,) = data["participant_record"]
    assert payer["sumber"] == "PROVINSI" and payer["dataset_file"] == "penjamin.csv"
    (flag,) = data["duplicate_flag"]
    assert flag["side"] == "named_in_flag" and flag["reason"] == "same_kk"
    assert {d["document_type_code"] for d in data["document"]} == {
        "ktp", "kk", "pernyataan_penghasilan"}
    (ledger,) = data["budget_ledger"]
    assert ledger["kind"] == "commit" and ledger["amount"] == application["commitment"]
    (decree,) = data["decree"]
    assert decree["sk_number"] == "SK-PDP-1"
    assert [e["application"] for e in decree["entries"]] == [member.id]  # not the neighbour
    (item,) = data["registration_item"]
    assert item["batch_number"] and item["batch_status"] == "prepared"
    (month,) = data["contribution_month"]
    assert (month["month"], month["status"], month["sp2d_number"]) == (
        "2026-02-01", "paid", "SP2D-PDP-1")
    (own_request,) = data["data_subject_request"]
    assert own_request["id"] == request.id and own_request["kind"] == "access"

    assert sorted(files) == sorted(d["file"] for d in data["document"])
    assert all(content == png_bytes() for content in files.values())


def test_a_flag_on_the_workers_own_application_does_not_name_the_other_person(session, staff):
    member = _member(session, staff)
    twin = session.execute(select(Application).where(
        Application.id != member.id, Application.state == "submitted")).scalars().all()[-1]
    data, _trail, _files = _unzip(_export(session, staff, _access(session, staff,
                                                                  twin.worker)).content)
    (flag,) = data["duplicate_flag"]
    assert flag["side"] == "own_application"
    assert "detail" not in flag and "other_worker_id" not in flag
    assert member.worker.full_name not in json.dumps(data)


def test_the_processing_trail_lists_the_events_on_the_workers_records(session, staff):
    member = _member(session, staff)
    request = _access(session, staff, member.worker)
    _data, trail, _files = _unzip(_export(session, staff, request).content)
    actions = [row["action"] for row in trail]
    for action in ("worker.register", "application.open", "document.upload",
                   "application.submit", "application.verify", "application.approve",
                   "application.enrol", "duplicate.flag", "subject_request.record"):
        assert action in actions, action
    assert [int(row["seq"]) for row in trail] == sorted(int(row["seq"]) for row in trail)
    first = trail[0]
    assert first["actor"] == "cw1" and len(first["hash"]) == 64
    assert "nik" in first["fields"].split()
    assert member.worker.nik not in "".join(row["fields"] for row in trail)


def test_the_export_is_audited_with_its_purpose_and_each_document_read(session, staff):
    member = _member(session, staff)
    request = _access(session, staff, member.worker)
    export = _export(session, staff, request)
    (event,) = session.execute(select(AuditEvent).where(
        AuditEvent.action == "subject.export")).scalars().all()
    diff = json.loads(event.diff)
    assert (event.entity_type, event.entity_id, event.actor_name) == (
        "worker", str(member.worker_id), "cw2")
    assert event.reason == f"Permintaan akses subjek data no. {request.id}"
    assert diff["request"] == [None, request.id] and diff["personal_data_read"] == [None, "bulk"]
    assert diff["sha256"] == [None, hashlib.sha256(export.content).hexdigest()]
    reads = session.execute(select(AuditEvent).where(
        AuditEvent.action == "document.read", AuditEvent.actor_name == "cw2")).scalars().all()
    assert len(reads) == 3
    resolve_request(session, request, outcome="fulfilled", note="ZIP diserahkan di loket",
                    actor=staff["cw2"])


@pytest.mark.parametrize("case", ["correction", "answered", "auditor"])
def test_no_export_without_an_open_access_request(session, staff, case):
    worker = make_worker(session, staff["cw1"])
    request = _access(session, staff, worker, kind="correction" if case == "correction"
                      else "access")
    if case == "answered":
        resolve_request(session, request, outcome="fulfilled", note="", actor=staff["cw1"])
    before = _audit_count(session)
    with pytest.raises(NotAllowed if case == "auditor" else InvalidTransition):
        _export(session, staff, request, user="audit1" if case == "auditor" else "cw2")
    assert _audit_count(session) == before


def _holding_tables() -> set[str]:
    """Every table that names a worker or an application, or holds a NIK."""
    held = set()
    for table in Base.metadata.tables.values():
        targets = {fk.column.table.name for fk in table.foreign_keys}
        columns = set(table.c.keys())
        if targets & {"worker", "application"} or columns & {"nik", "worker_id",
                                                            "application_id"}:
            held.add(table.name)
    return held


def test_every_table_holding_worker_data_is_in_the_export(session, staff):
    held = _holding_tables()
    assert {"worker", "application", "document", "contribution_month", "dtsen_record",
            "data_subject_request"} <= held  # the introspection itself works
    worker = make_worker(session, staff["cw1"])
    data, _trail, _files = _unzip(_export(session, staff, _access(session, staff,
                                                                  worker)).content)
    assert held - set(data) == set(), "add the new table to reports/subject_export.py"


def _only_imported(session, staff):
    """Someone in DTSEN and on a payer list, also quoted with someone else in the problem
    report of a rejected DTSEN file (the same NIK twice in it)."""
    person = dtsen_only(session, staff["cw1"])
    payers = f"nik,nama,sumber\n{person.nik},{person.full_name},CSR\n".encode()
    import_participants(session, io.BytesIO(payers), file_name="csr.csv",
                        as_of=date(2026, 3, 1), actor=staff["cw1"])
    other = make_worker(session, staff["cw1"])
    rows = [(other, 4), (other, 4), (person, 2), (person, 2)]
    rejected = import_dtsen(session, dtsen_csv(rows), file_name="ganda.csv",
                            as_of=date(2026, 2, 1), actor=staff["cw1"]).run
    assert rejected.status == "rejected" and other.nik in rejected.error_report
    return person, other, rejected


def test_an_export_for_someone_held_only_in_imported_data(session, staff):
    person, other, rejected = _only_imported(session, staff)
    request = _access(session, staff, person)
    export = _export(session, staff, request)
    data, trail, files = _unzip(export.content)

    assert data["worker"] is None and data["application"] == [] and files == {}
    (dtsen,) = data["dtsen_record"]
    assert (dtsen["nik"], dtsen["nama"], dtsen["desil"]) == (person.nik, "Warga Dtsen", 2)
    (payer,) = data["participant_record"]
    assert payer["sumber"] == "CSR" and payer["dataset_file"] == "csr.csv"
    (report,) = data["import_run"]
    assert (report["id"], report["file_name"], report["status"]) == (
        rejected.id, "ganda.csv", "rejected")
    header, *lines = report["problem_report"].splitlines()
    assert header == rejected.error_report.splitlines()[0] and len(lines) == 1
    assert person.nik in lines[0] and other.nik not in report["problem_report"]
    (own_request,) = data["data_subject_request"]
    assert (own_request["id"], own_request["nik"], own_request["worker_id"]) == (
        request.id, person.nik, None)
    assert other.full_name not in json.dumps(data)

    assert {row["action"] for row in trail} == {"subject_request.record"}
    (event,) = session.execute(select(AuditEvent).where(
        AuditEvent.action == "subject.export")).scalars().all()
    assert (event.entity_type, event.entity_id) == ("data_subject_request", str(request.id))
    assert json.loads(event.diff)["documents"] == [None, 0]
    assert event.reason == f"Permintaan akses subjek data no. {request.id}"
    later = _unzip(_export(session, staff, request).content)[1]
    assert {"subject.export"} <= {row["action"] for row in later}  # the first export


def test_a_workers_export_also_has_the_problem_reports_quoting_them(session, staff):
    _person, other, rejected = _only_imported(session, staff)
    data, _trail, _files = _unzip(_export(session, staff, _access(session, staff,
                                                                  other)).content)
    (report,) = data["import_run"]
    assert report["id"] == rejected.id
    assert report["problem_report"].count("\n") == 2  # the header and one line
    assert RESIDENT.nik not in report["problem_report"]


def test_every_table_holding_a_nik_is_in_an_export_without_a_worker(session, staff):
    nik_tables = {t.name for t in Base.metadata.tables.values() if "nik" in t.c}
    assert {"worker", "dtsen_record", "participant_record", "data_subject_request"} <= nik_tables
    person, _other, _rejected = _only_imported(session, staff)
    file_complaint(session, kind="sanggahan", complainant_name=person.full_name,
                   contact="081234567890", nik=person.nik, kelurahan_code="3275011001",
                   text="Tidak masuk daftar.", actor=staff["cw1"])  # left out, objects
    data, _trail, _files = _unzip(_export(session, staff, _access(session, staff,
                                                                  person)).content)
    assert _holding_tables() - set(data) == set()
    assert {t for t in nik_tables if not data.get(t)} == {"worker"}, (
        "look the new table up by NIK in reports/subject_export.py")


def test_the_page_downloads_the_zip_and_refuses_without_an_access_request(client, session,
                                                                          staff):
    worker = make_worker(session, staff["cw1"])
    access = _access(session, staff, worker)
    correction = _access(session, staff, worker, kind="correction")
    session.commit()
    login(client, "cw2")
    page = f"/privacy/{access.id}"
    assert 'data-testid="export"' in client.get(page).get_data(as_text=True)
    response = client.post(page + "/export", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data, _trail, _files = _unzip(response.data)
    assert data["worker"]["nik"] == worker.nik
    page = f"/privacy/{correction.id}"
    token = csrf_token(client, page)
    before = session.scalar(select(func.max(AuditEvent.seq)))
    refused = client.post(page + "/export", data={"csrf_token": token})
    assert refused.status_code == 409
    added = session.execute(select(AuditEvent.action).where(AuditEvent.seq > before)
                            .order_by(AuditEvent.seq)).scalars().all()
    # The refused attempt and the page shown again (a read), not an export.
    assert added == ["privacy.export.refused", "subject_request.view"]


def test_the_page_exports_for_someone_held_only_in_dtsen(client, session, staff):
    request = _access(session, staff, dtsen_only(session, staff["cw1"]))
    session.commit()
    login(client, "cw2")
    page = f"/privacy/{request.id}"
    response = client.post(page + "/export", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data, _trail, files = _unzip(response.data)
    assert data["worker"] is None and len(data["dtsen_record"]) == 1 and files == {}
