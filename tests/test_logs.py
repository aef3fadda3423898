"""Every log line is one JSON object with the request id and the signed-in user, one
access line per request names the route; and no NIK, name or typed username reaches a
log line, whether it came in the query string, the form, the path or an error."""
import json
import logging
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from caseapp import logs
from models import User
from tests.browser_helpers import serving
from tests.helpers import csrf_token, login

NIK, NAME = "3275015703910123", "Rahmawati Kusumaningrum"
INTAKE = {"nik": NIK, "kk_number": "3275010101000888", "full_name": NAME,
          "birth_place": "Bekasi", "birth_date": "1991-03-17", "sex": "P",
          "address": "Jl. Kenanga No. 9", "rt": "001", "rw": "004",
          "kelurahan_code": "3275011002", "phone": "081298765439", "category": "pedagang",
          "occupation": "PKL", "monthly_income": "1800000", "intake_channel": "walk_in",
          "program_year": "2026"}
PERSONAL = (NIK, NAME, "Rahmawati", "Kusumaningrum", "081298765439")


def _lines(captured: str) -> list[dict]:
    """Every line of the captured stderr, each of which must be one JSON object."""
    return [json.loads(line) for line in captured.splitlines()]


def _access(lines: list[dict], request_id: str) -> dict:
    line, = [x for x in lines if x["logger"] == "caseapp.access"
             and x["request_id"] == request_id]
    return line


def _post(client, page, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def test_each_request_logs_one_json_access_line_with_its_route_and_user(client, session,
                                                                        capsys):
    login(client, "cw1")
    cw1 = session.scalars(select(User).where(User.username == "cw1")).one()
    capsys.readouterr()
    response = client.get("/workers/?search=abc")
    lines = _lines(capsys.readouterr().err)
    line = _access(lines, response.headers["X-Request-ID"])
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert {k: line[k] for k in ("method", "endpoint", "rule", "status", "size")} == {
        "method": "GET", "endpoint": "workers.index_view", "rule": "/workers/",
        "status": 200, "size": len(response.get_data())}
    assert line["user_id"] == cw1.id and line["roles"] == ["caseworker"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == "GET /workers/ 200"
    for record in lines:  # every line of the request carries its id
        assert {"time", "level", "logger", "message", "request_id"} <= set(record)


def test_anonymous_and_unrouted_requests_are_logged_without_user_or_path(client, capsys):
    capsys.readouterr()
    response = client.get(f"/cases/{NIK}?nama={NAME}")
    line = _access(_lines(capsys.readouterr().err), response.headers["X-Request-ID"])
    assert line["status"] == 404 and line["rule"] is None and line["endpoint"] is None
    assert "user_id" not in line and "roles" not in line


def test_health_probes_are_logged_at_debug_only(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    client.get("/readyz")
    assert [x for x in _lines(capsys.readouterr().err) if x["logger"] == "caseapp.access"] == []


def test_no_personal_value_reaches_the_log(client, session, capsys):
    capsys.readouterr()
    # Typed at sign-in: a name as username, a NIK as password.
    _post(client, "/auth/login", f"/auth/login?next=/workers/%3Fsearch%3D{NIK}",
          {"username": NAME, "password": NIK})
    login(client, "cw1")
    assert _post(client, "/cases/new", "/cases/new", INTAKE).status_code == 302
    again = _post(client, "/cases/new", f"/cases/new?nik={NIK}",
                  {**INTAKE, "program_year": "2027"})
    assert again.status_code == 409 and NAME in again.get_data(as_text=True)
    for query in (NIK, NAME):
        page = client.get("/workers/", query_string={"search": query})
        assert page.status_code == 200 and NIK in page.get_data(as_text=True)
    client.get(f"/cases/{NIK}", query_string={"nama": NAME})
    _post(client, "/auth/password", "/auth/password",
          {"current": NIK, "new": NAME, "confirm": NAME, "nik": NIK})
    captured = capsys.readouterr().err
    lines = _lines(captured)
    assert len([x for x in lines if x["logger"] == "caseapp.access"]) >= 8
    for value in PERSONAL:
        assert value not in captured, value


def test_the_development_server_logs_no_request_line(app, capsys):
    """Werkzeug's own line is the raw request line, query string included."""
    capsys.readouterr()
    with serving(app) as url:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{url}/cari/{NIK}?nama=Rahmawati+Kusumaningrum")
    assert refused.value.code == 404
    captured = capsys.readouterr().err
    assert NIK not in captured and "Rahmawati" not in captured
    assert _access(_lines(captured), refused.value.headers["X-Request-ID"])["status"] == 404


def test_a_refused_row_is_logged_without_its_values(session, capsys):
    """PostgreSQL repeats a refused row's values in DETAIL; SQLAlchemy would add the
    statement's parameters. Neither reaches the log line."""
    session.execute(text("CREATE TEMPORARY TABLE log_probe (nik VARCHAR(16) UNIQUE)"))
    session.execute(text("INSERT INTO log_probe VALUES (:nik)"), {"nik": NIK})
    capsys.readouterr()
    with pytest.raises(IntegrityError) as refused, session.begin_nested():
        session.execute(text("INSERT INTO log_probe VALUES (:nik)"), {"nik": NIK})
    logging.getLogger("caseapp.test").error("refused: %s", refused.value,
                                            exc_info=refused.value)
    line, = _lines(capsys.readouterr().err)
    assert "log_probe" in line["message"] and "IntegrityError" in line["exc_info"]
    assert NIK not in json.dumps(line)


def test_text_format_for_development_and_no_other(capsys):
    try:
        logs.configure_logging("INFO", "text")
        logging.getLogger("caseapp.test").info("hello")
        line = capsys.readouterr().err.strip()
        assert line.endswith("INFO caseapp.test [None] hello")
        with pytest.raises(ValueError):
            logs.configure_logging("INFO", "xml")
    finally:
        logs.configure_logging("INFO", "json")
    root_handlers = [h for h in logging.getLogger().handlers if isinstance(h, logs.Handler)]
    assert len(root_handlers) == 1


def test_gunicorn_logs_its_own_lines_the_same_way_and_no_access_lines(capsys):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("logconfig_dict", logs.logconfig_dict("INFO", "json"))
    config.set("accesslog", "-")  # even when asked to, gunicorn writes no access line
    try:
        gunicorn_log = Logger(config)
        capsys.readouterr()
        gunicorn_log.info("Booting worker with pid: %s", 42)
        gunicorn_log.access_log.info("GET /workers/?search=%s", NIK)
        line, = _lines(capsys.readouterr().err)
        assert line["logger"] == "gunicorn.error" and line["message"] == \
            "Booting worker with pid: 42"
    finally:
        logs.configure_logging("INFO", "json")
