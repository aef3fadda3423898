"""Refusals quote stored and typed values (a worker's name, an SP2D or SK number, a
channel); whatever they quote must reach the page as text, never as markup."""
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template, render_template_string
from flask_babel import force_locale

from tests.helpers import csrf_token, login
from tests.test_cases_web import INTAKE, _intake
from workflows.messages import lazy_gettext

PAYLOAD = '"><img src=x onerror=alert(1)>'
CATALOG = Path(__file__).parent.parent / "caseapp/translations/id/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdif])")
ROOT = Path(__file__).parent.parent


def _messages_with_values() -> list[str]:
    with CATALOG.open("rb") as po:
        return [m.id for m in read_po(po) if isinstance(m.id, str) and PLACEHOLDER.search(m.id)]


def _filled(msgid: str):
    values = {name: PAYLOAD if kind == "s" else 7 for name, kind in PLACEHOLDER.findall(msgid)}
    return lazy_gettext(msgid, **values)


def _assert_text_only(html: str, msgid: str) -> None:
    assert "<img" not in html, msgid
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, msgid


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_message_with_a_value_renders_that_value_as_text(app, locale):
    messages = [m for m in _messages_with_values() if "%(" in m and ")s" in m]
    assert len(messages) > 50  # the catalog is read, not an empty list passing vacuously
    with app.test_request_context("/"), force_locale(locale):
        for msgid in messages:
            message = _filled(msgid)
            _assert_text_only(render_template("error.html", code=409, message=message), msgid)
            _assert_text_only(render_template_string("{{ m }}", m=message), msgid)


def test_a_flashed_message_survives_the_session_cookie_as_text(app):
    """flash() stores the message in the signed cookie; an object that declares itself
    HTML comes back as Markup, so it must already be escaped by then."""
    message = _filled("NIK %(nik)s is already registered for %(name)s, with application "
                      "%(application)s (%(year)d); open that application instead of "
                      "registering again.")
    serializer = app.session_interface.get_signing_serializer(app).serializer
    with app.test_request_context("/"):
        stored = serializer.loads(serializer.dumps({"_flashes": [("error", message)]}))
        html = render_template_string("{{ m }}", m=stored["_flashes"][0][1])
    _assert_text_only(html, "flash")


def test_a_stored_name_quoted_by_the_duplicate_nik_refusal_stays_text(client, session):
    login(client, "cw1")
    assert _intake(client, full_name=PAYLOAD).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "cw2")
    second = _intake(client, program_year="2027")
    assert second.status_code == 409
    _assert_text_only(second.get_data(as_text=True), "duplicate NIK")


def test_a_typed_channel_quoted_by_the_intake_import_stays_text(client, session):
    login(client, "cw1")
    data = {"channel": PAYLOAD, "year": "2026",
            "csrf_token": csrf_token(client, "/imports/"),
            "file": (io.BytesIO(b"nik\n" + INTAKE["nik"].encode()), "a.csv")}
    response = client.post("/imports/intake", data=data, content_type="multipart/form-data",
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "onerror=alert(1)" in html  # the refusal does quote the channel
    assert "<img" not in html


def test_no_module_makes_messages_that_count_as_html():
    """Flask-Babel's own lazy strings are safe HTML to Jinja; workflows.messages is the
    one way to make a lazily translated message."""
    offenders = [str(path.relative_to(ROOT)) for package in ("caseapp", "workflows", "reports",
                                                             "models")
                 for path in (ROOT / package).rglob("*.py")
                 if re.search(r"flask_babel(\.speaklater)? import .*(lazy_gettext|LazyString)",
                              path.read_text()) and path.name != "messages.py"]
    assert offenders == []
