"""A page read commits the sign-in session's last-seen touch when one is due, and only
then (caseapp/auth._check_session): on a database whose transactions really commit, the
touch of a worklist page (which writes nothing itself) is seen from another connection,
and keeps a person at work signed in past the idle lifetime counted from sign-in."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from models import UserSession, clock
from tests.conftest import committed_app
from tests.databases import BACKENDS
from tests.factories import reference_and_staff
from tests.helpers import login


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    with committed_app(request.param, tmp_path_factory.mktemp("touch"), "touch",
                       reference_and_staff) as app:
        yield app


def _last_seen(app):
    """Read on a connection of its own: what was committed."""
    with db.state(app).engine.connect() as connection:
        return connection.scalar(select(UserSession.last_seen_at)
                                 .order_by(UserSession.id.desc()).limit(1))


def test_a_due_touch_is_committed_by_a_page_read(app):
    client = app.test_client()
    login(client, "cw1")
    signed_in = _last_seen(app)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    assert client.get("/cases/").status_code == 200
    assert _last_seen(app) == signed_in  # not due: nothing written
    later = clock.now() + idle - timedelta(minutes=1)
    with clock.pinned(later):
        assert client.get("/cases/").status_code == 200
    assert _last_seen(app) > signed_in
    # Counted from the touch, not from the sign-in: still signed in after the idle time.
    with clock.pinned(later + timedelta(minutes=2)):
        page = client.get("/cases/")
    assert page.status_code == 200 and 'data-testid="worklist"' in page.text
