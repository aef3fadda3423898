"""Two caseworkers clicking the renewal re-check at once, on real connections: every
participant gets exactly one renewal, and the second click finds nothing left to do."""
import threading
from datetime import date

from sqlalchemy import func, select

from caseapp.extensions import db
from models import Application, User, clock
from tests.conftest import committed_app
from tests.factories import enrol, make_budget, make_staff
from tests.renewal_factories import dtsen_update
from workflows.actor import Actor
from workflows.audit import verify_chain
from workflows.reference import load_reference_data
from workflows.renewal import recheck_renewals

PARTICIPANTS = 6


def test_two_rechecks_at_once_open_one_renewal_each(backend, tmp_path):
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        staff = make_staff(session)
        make_budget(session, staff["admin1"], places=PARTICIPANTS)
        members = enrol(session, staff, PARTICIPANTS)
        dtsen_update(session, staff, [(m.worker, 2) for m in members])

    with committed_app(backend, tmp_path, "renewal_race", setup) as app:
        barrier, outcomes = threading.Barrier(2), []

        def run(username):
            with app.app_context():
                actor = Actor.for_user(db.session.execute(
                    select(User).where(User.username == username)).scalar_one())
                db.session.rollback()  # no open transaction (SQLite's write lock) at the barrier
                barrier.wait()
                outcomes.append(recheck_renewals(db.session, year=2027, actor=actor).renewals)
                db.session.commit()

        with clock.pinned(date(2026, 10, 15)):
            threads = [threading.Thread(target=run, args=(name,)) for name in ("cw1", "cw2")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert sorted(outcomes) == [0, PARTICIPANTS]
        with app.app_context():
            renewals = db.session.scalar(select(func.count()).select_from(Application).where(
                Application.renews_id.is_not(None)))
            assert renewals == PARTICIPANTS and verify_chain(db.session).ok
