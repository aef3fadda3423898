"""The public status page behind the receipt's QR code: no sign-in, the number and a
coarse state only, forged tokens are unknown pages, and it is rate limited."""
import pytest
from itsdangerous import URLSafeSerializer

from caseapp.extensions import limiter
from caseapp.status.tokens import SALT, application_id_of, status_token
from caseapp.status.views import PUBLIC_STATES
from models import Application
from tests.factories import enrol, kpj_of, make_application, make_budget
from tests.helpers import head_seq
from tests.report_helpers import translated
from workflows.states import STATE_LABELS


def token_of(app, application_id: int) -> str:
    with app.app_context():
        return status_token(application_id)


def _signature_altered(token: str) -> str:
    """The token with the first character of its signature changed. Not the last: the
    last base64 character of a 20-byte signature carries two bits the decoder drops, so
    changing it can leave the very same signature (the test then failed for some ids)."""
    payload, signature = token.rsplit(".", 1)
    return f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def test_every_state_has_a_public_label():
    assert set(PUBLIC_STATES) == set(STATE_LABELS)


def test_the_page_shows_the_number_and_state_and_nothing_personal(app, client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    member = enrol(session, staff, full_name="Dewi Lestari", phone="081299887766")[0]
    draft = make_application(session, staff["cw1"], full_name="Agus Salim")
    session.commit()
    seq = head_seq(session)
    for application, label in ((draft, "Received: being checked by Disnaker"),
                               (member, "Registered with BPJS Ketenagakerjaan")):
        worker = session.get(Application, application.id).worker
        response = client.get(f"/status/{token_of(app, application.id)}")
        assert response.status_code == 200
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        html = response.get_data(as_text=True)
        assert f'data-testid="status-number">{application.id}<' in html
        assert f'data-testid="status-state">{translated(app, label)}<' in html
        for personal in (worker.full_name, worker.nik, worker.nik[-4:], worker.kk_number,
                         worker.phone, worker.address, worker.kelurahan.name,
                         kpj_of(application.id)):
            assert personal not in html, personal
    assert head_seq(session) == seq  # nothing personal read, nothing written


@pytest.mark.parametrize("forge", [
    lambda app, good: URLSafeSerializer("another-key", salt=SALT).dumps(good),
    lambda app, good: URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(good),
    lambda app, good: URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT).dumps(str(good)),
    lambda app, good: token_of(app, good + 1).split(".")[0] + "." +
    token_of(app, good).split(".")[1],  # another id under this id's signature
    lambda app, good: _signature_altered(token_of(app, good)),
    lambda app, good: token_of(app, 999_999),  # signed, but no such application
    lambda app, good: "0123456789abcdef",
])
def test_forged_or_tampered_tokens_are_unknown_pages(app, client, session, staff, forge):
    application = make_application(session, staff["cw1"])
    session.commit()
    assert client.get(f"/status/{token_of(app, application.id)}").status_code == 200
    assert client.get(f"/status/{forge(app, application.id)}").status_code == 404


def test_a_token_names_only_its_own_application(app, session, staff):
    with app.app_context():
        assert application_id_of(status_token(7)) == 7
        assert application_id_of(status_token(8)) == 8 and status_token(7) != status_token(8)


def test_the_status_page_is_rate_limited(app, client, session, staff, monkeypatch):
    application = make_application(session, staff["cw1"])
    session.commit()
    path = f"/status/{token_of(app, application.id)}"
    monkeypatch.setitem(app.config, "STATUS_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        codes = [client.get(path).status_code for _ in range(4)]
        forged = client.get("/status/0123456789abcdef").status_code
    finally:
        limiter.reset()
    assert codes == [200, 200, 200, 429] and forged == 429
