"""Registration batches to BPJS: states, audit, the files' contract and bytes, cancel, CLI."""
import csv
import hashlib
import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import (Application, ApplicationTransition, AuditEvent, RegistrationBatch,
                    RegistrationItem)
from tests.bpjs_factories import (BATCH_DAY, CONTRACT, START, YEAR, approved, budget,
                                  new_batch, sent_batch)
from workflows.audit import verify_chain
from workflows.bpjs.columns import coverage_start
from workflows.bpjs.registration import (batch_file, cancel_registration_batch,
                                         mark_batch_sent)
from workflows.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed

PURPOSE = "Pendaftaran peserta ke BPJS Ketenagakerjaan"

def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _state(session, application):
    session.expire_all()
    return session.get(Application, application.id)


def test_batch_takes_the_approved_cases_and_records_every_move(session, staff):
    budget(session, staff, places=2)
    cases = approved(session, staff, 3)  # two approved, one on the waiting list
    chosen = sorted(a.id for a in cases if a.state == "approved")
    reserve = next(a for a in cases if a.state == "waitlisted")
    batch = new_batch(session, staff)
    assert (batch.batch_number, batch.row_count, batch.status) == (f"SG-{YEAR}-0001", 2,
                                                                    "prepared")
    for application_id in chosen:
        application = session.get(Application, application_id)
        assert (application.state, application.registration_batch_id) == (
            "submitted_to_bpjs", batch.id)
    assert _state(session, reserve).state == "waitlisted"
    items = session.execute(select(RegistrationItem.application_id, RegistrationItem.no_urut)
                            .where(RegistrationItem.batch_id == batch.id)
                            .order_by(RegistrationItem.no_urut)).all()
    assert items == [(chosen[0], 1), (chosen[1], 2)]
    steps = session.execute(select(ApplicationTransition).where(
        ApplicationTransition.to_state == "submitted_to_bpjs")).scalars().all()
    assert sorted(s.application_id for s in steps) == chosen
    assert {(s.from_state, s.reason) for s in steps} == {("approved", batch.batch_number)}
    created = _events(session, "bpjs.batch_create")
    assert len(created) == 1 and created[0].entity_id == str(batch.id)
    assert batch.csv_sha256 in created[0].diff and batch.xlsx_sha256 in created[0].diff
    moved = _events(session, "application.submit_to_bpjs")
    assert sorted(int(e.entity_id) for e in moved) == chosen
    assert {e.actor_name for e in moved} == {"cw1"}
    assert verify_chain(session).ok


def test_nothing_to_send_and_wrong_roles_are_refused(session, staff):
    budget(session, staff)
    with pytest.raises(InvalidInput):
        new_batch(session, staff)  # nothing approved yet
    approved(session, staff, 1)
    for user in ("head", "audit1", "admin1"):
        with pytest.raises(NotAllowed):
            new_batch(session, staff, user=user)
    new_batch(session, staff)
    with pytest.raises(InvalidInput):
        new_batch(session, staff)  # everything approved is in the first batch
    assert session.scalar(select(func.count()).select_from(RegistrationBatch)) == 1


def test_coverage_starts_the_month_after_the_batch_up_to_the_next_january():
    assert coverage_start(BATCH_DAY, YEAR) == START
    assert coverage_start(datetime(YEAR - 1, 11, 3).date(), YEAR) == datetime(YEAR, 1, 1).date()
    # A December batch asks for January: paid from the next year's budget (renewal).
    assert coverage_start(datetime(YEAR, 12, 1).date(), YEAR) == datetime(YEAR + 1, 1, 1).date()
    assert coverage_start(datetime(YEAR, 12, 31).date(), YEAR) == datetime(YEAR + 1, 1, 1).date()
    assert coverage_start(datetime(YEAR + 1, 1, 1).date(), YEAR) is None


def test_csv_follows_the_contract(session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    first.worker.full_name, first.worker.phone = "=HYPERLINK(\"http://x\")", "+62 812-3456-7890"
    session.flush()
    batch = new_batch(session, staff)
    data = batch.csv_content
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    assert data.count(b"\r\n") == data.count(b"\n") == 3  # header + 2 rows, CRLF only
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == CONTRACT
    records = [dict(zip(CONTRACT, row)) for row in rows[1:]]
    assert [r["no_urut"] for r in records] == ["1", "2"]
    assert [r["nik"] for r in records] == [first.worker.nik, second.worker.nik]
    assert {(r["program"], r["kode_wadah"], r["penghasilan_dilaporkan"], r["tanggal_mulai"])
            for r in records} == {("JKK+JKM", "SG", "1000000", START.isoformat())}
    assert records[0]["nama"] == "'=HYPERLINK(\"http://x\")"  # never a formula
    assert records[0]["no_hp"] == "081234567890"
    assert records[1]["alamat"] == "Jl. Uji No. 1 RT 001/RW 002"
    assert records[1]["tanggal_lahir"] == second.worker.birth_date.isoformat()
    assert records[1]["kode_kelurahan"] == "3275011001" and records[1]["jenis_kelamin"] == "L"


def test_xlsx_follows_the_contract_with_text_cells_and_fixed_dates(session, staff):
    budget(session, staff)
    first, _second = approved(session, staff, 2)
    first.worker.full_name = "@SUM(1+1)"
    session.flush()
    batch = new_batch(session, staff)
    workbook = load_workbook(io.BytesIO(batch.xlsx_content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == CONTRACT
    row = {name: cell for name, cell in zip(CONTRACT, sheet[2])}
    assert row["nik"].value == first.worker.nik
    assert row["nik"].data_type == "s" and row["nik"].number_format == "@"
    assert row["no_hp"].data_type == "s" and row["no_hp"].value.startswith("0")
    assert row["nama"].value == "'@SUM(1+1)" and row["nama"].data_type == "s"
    assert row["no_urut"].value == 1 and row["penghasilan_dilaporkan"].value == 1_000_000
    assert (row["kode_wadah"].value, row["program"].value) == ("SG", "JKK+JKM")
    assert [c.value for c in sheet[3]][0] == 2 and sheet.max_row == 3
    stamp = datetime(BATCH_DAY.year, BATCH_DAY.month, BATCH_DAY.day)
    assert workbook.properties.created == workbook.properties.modified == stamp
    with zipfile.ZipFile(io.BytesIO(batch.xlsx_content)) as archive:
        assert {info.date_time for info in archive.infolist()} == {stamp.timetuple()[:6]}


def test_downloads_return_the_stored_bytes_and_are_audited(session, staff):
    budget(session, staff)
    approved(session, staff, 2)
    batch = new_batch(session, staff)
    for file_format, digest in (("csv", batch.csv_sha256), ("xlsx", batch.xlsx_sha256)):
        once = batch_file(session, batch, file_format, actor=staff["cw2"], purpose=PURPOSE)
        again = batch_file(session, batch, file_format, actor=staff["audit1"], purpose=PURPOSE)
        assert once == again and hashlib.sha256(once).hexdigest() == digest
    reads = _events(session, "bpjs.batch_download")
    assert [(e.actor_name, e.entity_id) for e in reads] == [
        ("cw2", str(batch.id)), ("audit1", str(batch.id))] * 2
    with pytest.raises(NotAllowed):
        batch_file(session, batch, "csv", actor=staff["admin1"], purpose=PURPOSE)
    batch.csv_content = batch.csv_content + b"1,tambahan\r\n"  # bytes changed behind our back
    session.flush()
    with pytest.raises(Conflict):
        batch_file(session, batch, "csv", actor=staff["cw1"], purpose=PURPOSE)


def test_cancel_before_sending_restores_approved_and_frees_the_cases(session, staff):
    budget(session, staff)
    cases = approved(session, staff, 2)
    batch = new_batch(session, staff)
    with pytest.raises(InvalidInput):
        cancel_registration_batch(session, batch, reason="  ", actor=staff["cw2"])
    with pytest.raises(NotAllowed):
        cancel_registration_batch(session, batch, reason="salah", actor=staff["head"])
    assert _state(session, cases[0]).state == "submitted_to_bpjs"
    batch = session.get(RegistrationBatch, batch.id)
    cancel_registration_batch(session, batch, reason="Alamat belum lengkap", actor=staff["cw2"])
    for application in cases:
        application = _state(session, application)
        assert (application.state, application.registration_batch_id) == ("approved", None)
    batch = session.get(RegistrationBatch, batch.id)
    assert (batch.status, batch.cancel_reason) == ("cancelled", "Alamat belum lengkap")
    undone = _events(session, "application.cancel_bpjs_submission")
    assert len(undone) == 2 and {e.reason for e in undone} == {"Alamat belum lengkap"}
    assert len(_events(session, "bpjs.batch_cancel")) == 1
    again = new_batch(session, staff)  # numbers are never reused
    assert (again.batch_number, again.row_count) == (f"SG-{YEAR}-0002", 2)
    with pytest.raises(InvalidTransition):
        cancel_registration_batch(session, session.get(RegistrationBatch, batch.id),
                                  reason="lagi", actor=staff["cw2"])


def test_a_sent_batch_cannot_be_cancelled_or_sent_again(session, staff):
    budget(session, staff)
    cases = approved(session, staff, 1)
    batch = sent_batch(session, staff)
    batch = session.get(RegistrationBatch, batch.id)
    assert batch.status == "sent" and batch.sent_at is not None
    assert len(_events(session, "bpjs.batch_sent")) == 1
    with pytest.raises(InvalidTransition):
        cancel_registration_batch(session, batch, reason="terlambat", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        mark_batch_sent(session, batch, actor=staff["cw1"])
    assert _state(session, cases[0]).state == "submitted_to_bpjs"
    assert _events(session, "application.cancel_bpjs_submission") == []


def test_cli_export_writes_the_stored_file_and_mark_sent_and_cancel(app, session, staff,
                                                                     tmp_path):
    budget(session, staff)
    approved(session, staff, 2)
    session.commit()
    runner = app.test_cli_runner()
    output = tmp_path / "batch.xlsx"
    result = runner.invoke(args=["bpjs", "export", "--as", "cw1", "--output", str(output),
                                 "--year", str(YEAR), "--format", "xlsx",
                                 "--purpose", PURPOSE])
    assert result.exit_code == 0, result.output
    batch = session.execute(select(RegistrationBatch)).scalar_one()
    assert output.read_bytes() == batch.xlsx_content
    assert batch.batch_number in result.output and "2 rows" in result.output
    assert batch.xlsx_sha256 in result.output and batch.csv_sha256 in result.output
    again = runner.invoke(args=["bpjs", "download", batch.batch_number, "--as", "audit1",
                                "--output", str(tmp_path / "again.csv"), "--purpose", PURPOSE])
    assert again.exit_code == 0 and (tmp_path / "again.csv").read_bytes() == batch.csv_content
    empty = runner.invoke(args=["bpjs", "export", "--as", "cw1", "--output",
                                str(tmp_path / "none.csv"), "--year", str(YEAR),
                                "--purpose", PURPOSE])
    assert empty.exit_code == 1 and not (tmp_path / "none.csv").exists()
    no_reason = runner.invoke(args=["bpjs", "cancel", batch.batch_number, "--reason", " ",
                                    "--as", "cw1"])
    assert no_reason.exit_code == 1
    sent = runner.invoke(args=["bpjs", "mark-sent", batch.batch_number.lower(), "--as", "cw2"])
    assert sent.exit_code == 0, sent.output
    late = runner.invoke(args=["bpjs", "cancel", batch.batch_number, "--reason", "salah",
                               "--as", "cw1"])
    assert late.exit_code == 1 and batch.batch_number in late.output
    unknown = runner.invoke(args=["bpjs", "mark-sent", "SG-1999-0001", "--as", "cw1"])
    assert unknown.exit_code == 1
    session.expire_all()
    assert session.get(RegistrationBatch, batch.id).status == "sent"
    assert _events(session, "bpjs.batch_sent")[0].actor_name == "cw2"
