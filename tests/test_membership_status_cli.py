"""``flask membership import-status|lapse``."""
from sqlalchemy import select

from models import AuditEvent, MembershipStatus
from tests.factories import enrol, make_budget
from tests.membership_factories import row_of, status_csv


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["membership", *args])


def _records(session):
    session.expire_all()
    return session.execute(select(MembershipStatus).order_by(MembershipStatus.id)
                           ).scalars().all()


def test_import_status_and_lapse_from_the_command_line(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    reported, silent = enrol(session, staff, 2)
    session.commit()
    good = tmp_path / "status.csv"
    good.write_bytes(status_csv([row_of(reported, "NONAKTIF", "2026-02")]).getvalue())
    result = _run(app, "import-status", str(good), "--as-of", "2026-07-01", "--as", "cw1")
    assert result.exit_code == 0, result.output
    assert "1 status(es) recorded, 0 older row(s) skipped, 1 lapsed" in result.output
    again = _run(app, "import-status", str(good), "--as", "cw1")
    assert again.exit_code == 0 and "nothing changed" in again.output
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(status_csv([row_of(silent, "AKTIV", "2026-02")]).getvalue())
    refused = _run(app, "import-status", str(bad), "--as", "cw1")
    assert refused.exit_code == 1 and "row 2, status" in refused.output
    head = _run(app, "import-status", str(bad), "--as", "head")
    assert head.exit_code == 1 and "Hanya petugas" in head.output
    # Nothing paid since January: on 10 July the silent one is over 3 months unpaid.
    lapsed = _run(app, "lapse")
    assert lapsed.exit_code == 0 and "1 membership(s) lapsed, 0 reactivated" in lapsed.output
    assert [r.lapsed for r in _records(session)] == [True, True]
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "membership.lapse")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert event.actor_name == "system:membership-lapse"
