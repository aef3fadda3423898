"""``flask contributions ...``: generate, pay, reconcile, warnings, mark-arrears."""
from sqlalchemy import select

from models import AuditEvent, BudgetYear, ContributionMonth, PaymentBatch
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import enrol
from tests.factories import make_budget


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["contributions", *args])


def _batches(session):
    session.expire_all()
    return session.execute(select(PaymentBatch).order_by(PaymentBatch.id)).scalars().all()


def test_generate_pay_and_reconcile_from_the_command_line(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    enrol(session, staff, 2)
    session.commit()
    result = _run(app, "generate", "--month", "2026-03", "--months", "3", "--as", "cw1")
    assert result.exit_code == 0, result.output
    [batch] = _batches(session)
    assert f"batch #{batch.id}: 2 participants, Rp100.800" in result.output
    assert "2026-05: 2 new, 0 already in other batches" in result.output
    again = _run(app, "generate", "--month", "2026-03", "--as", "cw1")
    assert again.exit_code == 1 and "tidak ada data baru" in again.output
    assert len(_batches(session)) == 1
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "contributions.generate")).scalar_one()
    assert event.actor_name == "cw1" and event.ip == "cli"

    pay = ["pay", str(batch.id), "--sp2d", "SP2D-CLI", "--sp2d-date", "2026-03-11",
           "--invoice", "INV-CLI", "--as", "cw1"]
    assert _run(app, *pay).exit_code == 0
    assert session.get(BudgetYear, 2026).realised == 100_800
    twice = _run(app, *pay)
    assert twice.exit_code == 1 and "SP2D-CLI" in twice.output
    assert _run(app, "pay", "999", "--sp2d", "X", "--sp2d-date", "2026-03-11", "--invoice",
                "Y", "--as", "cw1").exit_code == 1

    rows = matching_rows(session, _batches(session)[0])
    good = tmp_path / "tagihan.csv"
    good.write_bytes(bill_csv(rows[1:]).getvalue())  # one month missing from the file
    result = _run(app, "reconcile", str(good), "--batch", str(batch.id), "--as", "cw1")
    assert result.exit_code == 0, result.output
    assert "1 difference(s)" in result.output and _batches(session)[0].status == "reconciled"
    assert "already imported" in _run(app, "reconcile", str(good), "--batch", str(batch.id),
                                      "--as", "cw1").output
    bad = tmp_path / "salah.csv"
    bad.write_bytes(bill_csv([rows[0][:3] + ("-5", "LUNAS")]).getvalue())
    rejected = _run(app, "reconcile", str(bad), "--batch", str(batch.id), "--as", "cw1")
    assert rejected.exit_code == 1 and "row 2, iuran" in rejected.output


def test_refusals_exit_1_and_bad_arguments_exit_2(app, session, staff):
    make_budget(session, staff["admin1"], places=1)
    enrol(session, staff)
    session.commit()
    assert _run(app, "generate", "--month", "2026-13", "--as", "cw1").exit_code == 2
    assert _run(app, "generate", "--month", "2026-03", "--months", "2", "--as",
                "cw1").exit_code == 2
    as_head = _run(app, "generate", "--month", "2026-03", "--as", "head")
    assert as_head.exit_code == 1 and _batches(session) == []
    assert _run(app, "generate", "--month", "2026-03", "--as", "nobody").exit_code == 1


def test_warnings_and_the_arrears_job(app, session, staff):
    make_budget(session, staff["admin1"], places=1)
    [application] = enrol(session, staff)
    session.commit()
    assert _run(app, "generate", "--month", "2026-01", "--months", "3", "--as",
                "cw1").exit_code == 0
    assert _run(app, "warnings", "--today", "2026-03-20").exit_code == 2  # no purpose
    assert _run(app, "warnings", "--today", "2026-03-20", "--purpose", "x").exit_code == 1
    purpose = ("--purpose", "Surat peringatan tunggakan iuran")
    result = _run(app, "warnings", "--today", "2026-03-20", *purpose)
    assert result.exit_code == 0
    assert f"LAPSED\t#{application.id}\t" not in result.output
    assert f"warning\t#{application.id}\t{application.worker.nik}" in result.output
    assert "nothing paid\t3 month(s) unpaid" in result.output
    (listed,) = session.execute(select(AuditEvent).where(
        AuditEvent.action == "contributions.lapse_list")).scalars().all()
    assert (listed.entity_type, listed.entity_id, listed.actor_name, listed.reason) == (
        "application", str(application.id), "system:contributions-warnings", purpose[1])
    assert f"#{application.id}" not in _run(app, "warnings", "--today", "2026-01-20",
                                            *purpose).output
    job = _run(app, "mark-arrears", "--today", "2026-03-02")
    assert job.exit_code == 0 and "2 month(s) marked" in job.output
    statuses = session.execute(select(ContributionMonth.status).order_by(
        ContributionMonth.month)).scalars().all()
    assert statuses == ["arrears", "arrears", "due"]
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "contributions.mark_arrears")).scalar_one()
    assert event.actor_name == "system:contributions-arrears"
