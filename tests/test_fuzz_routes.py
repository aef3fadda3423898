"""No request makes a server error: every route and form, fuzzed, as every role.

Every rule of app.url_map and each of its methods gets the concrete request the route
sweep builds (tests/route_sweep.py, on the objects of tests/sweep_world.py), sent as each
standard role and anonymously with a valid CSRF token, then mutated: integer path
arguments out of range, the query arguments pages commonly read and the route's form
fields set to hostile values, and uploads replaced by a CSV whose header field is longer
than the csv module reads. A role the route refuses gets one mutated request (a parse
before the role check shows there); a role it answers gets them all. Any status
>= 500, or an exception (TESTING propagates them), is collected with its request and
reported together at the end. Seeded, so a run repeats.
"""
import random
import traceback
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from caseapp.extensions import db
from models import BudgetYear
from tests.conftest import committed_app
from tests.factories import make_staff
from tests.helpers import csrf_token, login
from tests.route_sweep import Arguments, variants_for
from tests.sweep_forms import FileValue, upload
from tests.sweep_world import build_world
from workflows.actor import Actor
from workflows.reference import load_reference_data

ROOT = str(Path(__file__).resolve().parent.parent) + "/"
APP_CODE = tuple(ROOT + package for package in ("caseapp/", "workflows/", "reports/", "models/"))
ROLES = ("cw1", "head", "audit1", "admin1", None)  # admin acts on users: after the others
# 2**31: the first id PostgreSQL's INTEGER cannot hold; 2**63: the first BIGINT cannot.
PATH_INTEGERS = (2**31, 2**63, 2**64, -1, 0)
LONG = "9" * 10_000  # more digits than int() converts (Python's 4300-digit limit)
VALUES = ("99999999999999999999", str(2**63), "-1", "abc", "", "2026-13-45", "\r\n%00\x00",
          LONG)
QUERY_ARGS = ("year", "after", "page", "page_size", "sort", "fiscal_year", "id", "run",
              "state", "q", "search", "next", "lang", "as_of", "month", "from", "to",
              "application_id", "kind", "format", "worker")
HUGE_HEADER_CSV = b"nik," + b"h" * 200_000 + b"\n3275010108900777,x\n"
# Sent last, in this order: they change the session (language, sessions, password).
SESSION_ROUTES = ("i18n.switch_language", "sessions.end_others", "sessions.end",
                  "auth.password", "mfa.enrol", "mfa.verify", "auth.login", "auth.logout")
REFUSED = {401, 403, 405}
SINGLE_FIELDS = 4


def _signed_out(response) -> bool:
    return response.status_code in (301, 302, 303) and \
        response.headers.get("Location", "").startswith(("/auth/login", "/auth/mfa"))


class Browser:
    """One role's client: signed in (the one place this test signs in, again whenever
    the session has ended), holding a CSRF token from a page."""

    def __init__(self, app, username):
        self.client, self.username = app.test_client(), username
        self.sign_in()

    def sign_in(self) -> None:
        if self.username is not None and self.client.get("/auth/login").status_code == 200:
            response = login(self.client, self.username)
            assert response.status_code == 302 and not _signed_out(response), \
                f"{self.username} could not sign in ({response.status_code})"
        self.token = csrf_token(self.client, "/auth/password" if self.username
                                else "/auth/login")

    def send(self, method: str, path: str, query: dict, data: dict):
        form = {**data, "csrf_token": self.token} if method != "GET" else None
        return self.client.open(path, method=method, query_string=query, data=form,
                                headers={"X-CSRFToken": self.token})


def _ordered(rules):
    rank = {endpoint: n for n, endpoint in enumerate(SESSION_ROUTES)}
    return sorted(rules, key=lambda r: (rank.get(r.endpoint, -1), r.endpoint, r.rule))


def _split(path: str) -> tuple[str, dict]:
    parts = urlsplit(path)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def _mutations(app, variant, rng: random.Random) -> list[tuple[str, dict, dict]]:
    """(path, query, form data) of the mutated requests for one variant."""
    path, query = _split(variant.path)
    fields = [k for k, v in variant.data.items() if not isinstance(v, FileValue)]
    names = list(dict.fromkeys(QUERY_ARGS + tuple(fields)))
    out = []
    # Latin square: request j gives argument k VALUES[(j + k) % n], so each argument
    # meets each value once in len(VALUES) requests.
    for j in range(len(VALUES)):
        values = {name: VALUES[(j + k) % len(VALUES)] for k, name in enumerate(names)}
        out.append((path, {**query, **{n: values[n] for n in QUERY_ARGS}},
                    {**variant.data, **{f: values[f] for f in fields}}))
    rng.shuffle(out)  # the first is the probe a refused role gets
    # A few fields one at a time, the rest valid, to get past the form's validation.
    for name in rng.sample(fields, min(len(fields), SINGLE_FIELDS)):
        out.append((path, query, {**variant.data, name: rng.choice(VALUES)}))
    if any(isinstance(v, FileValue) for v in variant.data.values()):
        out.append((path, query, {k: (upload(HUGE_HEADER_CSV, "fuzz.csv")
                                      if isinstance(v, FileValue) else v)
                                  for k, v in variant.data.items()}))
    args = app.url_map.bind("localhost").match(path, method=variant.method)[1]
    for name, converter in variant.rule._converters.items():
        if isinstance(converter, IntegerConverter):
            out += [(variant.rule.build({**args, name: number}, append_unknown=False)[1],
                     query, variant.data) for number in PATH_INTEGERS]
    return out


def _where(exc: Exception) -> str:
    """Where it was raised: the last line of the application's own code it passed, and
    the line of a library where it ended."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(APP_CODE)]
    places = ([ours[-1]] if ours else []) + ([frames[-1]] if frames[-1] not in ours else [])
    return "at " + " / ".join(f"{f.filename.replace(ROOT, '')}:{f.lineno}" for f in places)


def _describe(role, method, path, query, data) -> str:
    def short(value):
        if isinstance(value, FileValue):
            return f"<file {value[1]} {len(value[0])} bytes>"
        text = repr(value)
        return text if len(text) <= 30 else f"{text[:20]}...({len(value)} chars)"
    shown = " ".join(f"{k}={short(v)}" for k, v in {**query, **data}.items())
    return f"{role or 'anonymous'} {method} {path} [{shown}]"


@pytest.fixture
def fuzzed_app(backend, tmp_path):
    """The sweep's world on a database whose requests really commit, with the first
    request variant of every route and method. In the suite's rolled-back transaction the
    11,000 requests' committed savepoints would each keep a transaction-id lock to the
    end: past PostgreSQL's shared lock table (max_locks_per_transaction 64 x connections)."""
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))

    with committed_app(backend, tmp_path, "fuzz", setup) as app:
        with app.app_context():
            engine = db.engine
        with Session(bind=engine, expire_on_commit=False) as session:  # as the fixture's
            staff = make_staff(session)
            world = build_world(app, session, staff)
            arguments = Arguments(session, world)
            requests = [(rule, method, variants[0])
                        for rule in _ordered(app.url_map.iter_rules())
                        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
                        for variants in [variants_for(app, session, world, arguments, rule,
                                                      methods=(method,))] if variants]
            session.commit()
        yield app, requests


def test_no_fuzzed_request_is_a_server_error(fuzzed_app):
    app, requests = fuzzed_app
    failures, sent = [], 0
    for role in ROLES:
        browser = Browser(app, role)
        for rule, method, variant in requests:
            rng = random.Random(f"{role}:{method}:{rule.rule}")
            for n, (path, query, data) in enumerate(_mutations(app, variant, rng)):
                sent += 1
                request = replace(variant, data=data)
                try:
                    response = browser.send(method, path, query, request.form())
                except Exception as exc:  # TESTING propagates errors: report, go on
                    failures.append(f"{_describe(role, method, path, query, data)}: raised "
                                    f"{type(exc).__name__}: {str(exc)[:200]} {_where(exc)}")
                    continue
                if response.status_code >= 500:
                    failures.append(f"{_describe(role, method, path, query, data)}: "
                                    f"status {response.status_code}")
                refused = response.status_code in REFUSED or _signed_out(response)
                if _signed_out(response):
                    browser.sign_in()
                if n == 0 and refused:
                    break  # the role never reaches the view: one probe is enough
    assert sent > 2000, f"only {sent} requests: the fuzz did not find the routes"
    assert not failures, f"{len(failures)} of {sent} fuzzed requests failed:\n" + \
        "\n".join(failures)


def test_out_of_range_ids_are_no_record(client, session, staff):
    """An id no key can hold is a 404 like any unknown id (it was a 500: OverflowError
    past 2**63 on SQLite, "integer out of range" past 2**31 on PostgreSQL); the audit
    seq is a BIGINT, so a seq past 2**31 is just a seq not written yet."""
    login(client, "audit1")
    for path in (f"/cases/{2**31}", f"/cases/{2**63}", f"/approval/decrees/{2**64}",
                 f"/audit/event/{2**63}", "/cases/" + "9" * 5000):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/audit/event/{2**40}").status_code == 404
    assert client.get("/audit/event/1").status_code == 200


def test_list_and_record_arguments_out_of_range_show_the_page(client, session, staff):
    login(client, "admin1")
    assert client.get(f"/umk/?page={2**63}").status_code == 200
    assert client.get(f"/budget_years/?page={'9' * 10_000}").status_code == 200
    for bad in ("abc", str(2**63), "-1"):
        response = client.get(f"/umk/details/?id={bad}")
        assert response.status_code == 302, bad  # "record does not exist", back to the list
    head = client.application.test_client()
    login(head, "head")
    assert head.get("/approval/?year=99999999999999999999").status_code == 200


def test_a_number_too_large_for_its_column_is_a_form_error(client, session, staff):
    login(client, "admin1")
    years = session.scalar(select(func.count()).select_from(BudgetYear))
    response = client.post("/budget_years/new/", data={
        "csrf_token": csrf_token(client, "/budget_years/new/"), "fiscal_year": str(2**63),
        "dpa_reference": "DPA-X", "appropriation": "1", "quota": "1",
        "premium_per_month": "16800", "coverage_months": "12"})
    assert response.status_code == 200  # the form again, with the field's error
    assert 'class="invalid-feedback' in response.get_data(as_text=True) or \
        "has-error" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(BudgetYear)) == years


def test_the_role_is_checked_before_the_proposal_form_is_read(client, session, staff):
    """Ticked boxes that are no ids: the auditor is refused for the role (403), the head
    is told the form is wrong (422); neither is a server error."""
    bad = {"year": "2026", "application_id": ["abc", str(2**63)]}
    for username, status in (("audit1", 403), ("head", 422)):
        browser = client.application.test_client()
        login(browser, username)
        response = browser.post("/approval/propose", data={
            **bad, "csrf_token": csrf_token(browser, "/approval/")})
        assert response.status_code == status, username


def test_nul_in_a_request_is_refused_before_any_query(client, session, staff):
    """PostgreSQL refuses NUL in text; SQLite stores it. Either way it is a 400."""
    login(client, "admin1")
    for path in ("/kecamatan/?search=a%00b", "/kecamatan/details/?id=%00",
                 "/audit/entity/worker/1%00"):
        assert client.get(path).status_code == 400, path
