"""An auditor can change nothing anywhere: every write route refuses the role.

The sweep walks app.url_map, so a write route added later is covered without editing
this file: every rule accepting POST/PUT/PATCH/DELETE gets concrete URLs (real objects
in several states: tests/sweep_world.py, tests/route_sweep.py) and plausible form data
(tests/sweep_forms.py) with a valid CSRF token, sent by a signed-in user holding only
the auditor role. Each request must be refused (403/405; 409/422/400 for a state or
input refusal, but every route must refuse the role at least once), and no table but
the audit log may change (tests/db_snapshot.py). The only routes that may answer are
listed below with the reason; a route that answers and is not listed fails the test.
The snapshot is shown to see changes (a caseworker's and an admin's requests built
the same way do change it), so the sweep cannot pass by looking at nothing.
"""
import re
import warnings
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login
from tests.db_snapshot import Snapshots, changes
from tests.route_sweep import Arguments, model_views, read_rules, variants_for, write_rules
from tests.sweep_forms import NEW_PASSWORD
from tests.sweep_world import build_world

AUDITOR = "audit1"


@dataclass(frozen=True)
class Answers:
    """A write route the auditor may use, and why it changes no business data."""

    reason: str
    statuses: frozenset = frozenset({200, 403})
    own_account: bool = False  # may change the auditor's own app_user row, nothing else
    signs_out: bool = False  # ends the auditor's own session (answers with the sign-in page)
    starts_job: bool = False  # may add one background_job row (long work), nothing else
    takes_file: bool = False  # may mark the file of one of the auditor's own jobs taken


_READ = ("a read of data the auditor may see; writes only its audit event(s), with the "
         "stated purpose")
READ_ONLY_POSTS = {
    "reports.generate": Answers(
        "report generation: starts the job that reads figures in one transaction, renders, "
        "and writes only the job's row, its events and report.generate (POST for CSRF and "
        "because the purpose must not land in URLs); kinds the auditor may not generate "
        "answer 403", frozenset({302, 403}), starts_job=True),
    "jobs.download": Answers(
        "the file of the auditor's own report or evidence pack job, given once: marks the "
        "job row's file taken and writes the download's audit event (report.download); "
        "others' jobs and jobs without a file answer 404, a file already taken 409",
        frozenset({200}), takes_file=True),
    "bpjs.download": Answers(f"registration batch file (stored bytes): {_READ}"),
    "bpjs.report": Answers(f"problem report of a BPJS reply: {_READ}"),
    "contributions_page.report": Answers(f"reconciliation report of a payment batch: {_READ}"),
    "imports.report": Answers(f"problem report of an import: {_READ} (auditors get 403)"),
    "membership.report": Answers(f"problem report of a BPJS status file: {_READ}"),
    "membership.export": Answers(
        "export of the membership differences: starts the job that reads the list and "
        "makes the file; writes only the job's row and its events (the file leaving is "
        "recorded when taken: membership.differences_download, with the purpose)",
        frozenset({302}), starts_job=True),
    "refunds.export": Answers(
        f"XLSX of the refund ledger with names, the purpose stated: {_READ}",
        frozenset({200})),
    "contributions_page.lapse": Answers(
        f"the named list of participants at or near the lapse: {_READ}", frozenset({200})),
    "audit.verify": Answers(
        "auditor workspace: starts the job that recomputes the whole hash chain (the verdict "
        "comes back to the chain page); writes only the job's row and its audit events",
        frozenset({302}), starts_job=True),
    "audit.worker_lookup": Answers(
        "auditor workspace: finds a worker by NIK (a POST to keep the NIK out of URLs and "
        "logs) and redirects to who accessed them; writes nothing", frozenset({302})),
    "audit.evidence_pack": Answers(
        "auditor workspace: starts the job that builds the evidence pack of a case (ZIP); "
        "reads, and writes only the job's row, its events and the pack's audit event with "
        "the stated purpose", frozenset({302}), starts_job=True),
    "i18n.switch_language": Answers(
        "interface language: kept in the signed session cookie, no database write",
        frozenset({302})),
    "auth.password": Answers(
        "the auditor's own password: only their own app_user row may change",
        frozenset({302}), own_account=True),
    "mfa.enrol": Answers(
        "setting up the auditor's own authenticator app; theirs is on already, so the page "
        "sends them to their security page", frozenset({302})),
    "mfa.verify": Answers(
        "the code step of a sign-in; a signed-in user is sent home", frozenset({302})),
    "sessions.end": Answers(
        "ends one of the auditor's own sessions (another user's is refused); writes only "
        "the auth.session_end audit event and the user_session row", frozenset({302}),
        signs_out=True),
    "sessions.end_others": Answers(
        "ends the auditor's other sessions; writes only auth.session_end audit events and "
        "their user_session rows", frozenset({302})),
    "auth.login": Answers(
        "a signed-in user posting the sign-in form is sent home; a sign-in writes only "
        "auth.login or auth.login_failed audit events", frozenset({302})),
    "auth.logout": Answers(
        "ends the auditor's own session; writes only the auth.logout audit event and the "
        "user_session row", frozenset({302}), signs_out=True),
}
# Sent last, in this order: they change the session (language, password, sign-out).
SESSION_ROUTES = ("i18n.switch_language", "auth.password", "auth.login", "auth.logout")
REFUSED_FOR_ROLE = {401, 403, 405}
REFUSED_OTHERWISE = {400, 409, 422}  # state or input; the role must be refused elsewhere
MISSED = {404, 409, 422}  # a listed read of an object without that file or in another state


def _signed_out(response) -> bool:
    return response.status_code in (301, 302, 303) and \
        response.headers.get("Location", "").startswith("/auth/login")


class Auditor:
    """The auditor's browser: signed in, holding a CSRF token from a page."""

    def __init__(self, app, client):
        self.app, self.client, self.password = app, client, PASSWORD

    def sign_in(self) -> None:
        response = login(self.client, AUDITOR, self.password)
        assert response.status_code == 302 and not _signed_out(response), "auditor sign-in"
        self.token = csrf_token(self.client, "/")

    def send(self, variant):
        return self.client.open(variant.path, method=variant.method,
                                data={**variant.form(), "csrf_token": self.token},
                                headers={"X-CSRFToken": self.token})


def _judge(variant, response, changed, csrf_page) -> tuple[str, str | None]:
    """(outcome, failure or None); outcome "role", "refused" (state or input),
    "reached"/"missed" (listed routes), or "answered" (a failure)."""
    status = response.status_code
    if changed:
        return "answered", f"CHANGED DATA {changed} (status {status})"
    allowed = READ_ONLY_POSTS.get(variant.endpoint)
    if allowed is not None:
        if not allowed.signs_out and _signed_out(response):
            return "answered", "sent the signed-in auditor to the sign-in page"
        if status in allowed.statuses:
            return "reached", None
        if status in MISSED:
            return "missed", None
        return "answered", f"status {status}, listed as {sorted(allowed.statuses)}"
    if status == 400 and csrf_page in response.get_data(as_text=True):
        return "answered", "400 CSRF refusal: the sweep did not reach the route's checks"
    if status in REFUSED_FOR_ROLE:
        return "role", None
    if status in REFUSED_OTHERWISE:
        return "refused", None
    if _signed_out(response):
        return "answered", "302 to the sign-in page although the auditor is signed in"
    if status == 404:
        return "answered", "404: the sweep's URL did not reach the route (fix its arguments)"
    return "answered", (f"status {status} ({response.headers.get('Location', '')}): the route "
                        f"answered the auditor and is not in READ_ONLY_POSTS")


def _csrf_refusal(client) -> str:
    """The message of a CSRF refusal, to tell it from a route's own 400."""
    page = client.post("/bahasa", data={"lang": "en"})
    assert page.status_code == 400
    return re.search(r'data-testid="error-message">([^<]+)<', page.get_data(as_text=True)
                     ).group(1)


def _own_row_only(changed: dict, user_id: int) -> dict:
    rest = {}
    for table, rows in changed.items():
        if table == "app_user" and not rows["added"] and not rows["removed"] \
                and set(rows["changed"]) <= {(user_id,)}:
            continue
        rest[table] = rows
    return rest


def _one_job_only(changed: dict) -> dict:
    jobs = changed.get("background_job")
    if jobs and len(jobs["added"]) == 1 and not jobs["removed"] and not jobs["changed"]:
        return {t: rows for t, rows in changed.items() if t != "background_job"}
    return changed


def _one_file_taken(changed: dict) -> dict:
    jobs = changed.get("background_job")
    if jobs and len(jobs["changed"]) == 1 and not jobs["added"] and not jobs["removed"]:
        return {t: rows for t, rows in changed.items() if t != "background_job"}
    return changed


def _ordered(rules):
    rank = {endpoint: n for n, endpoint in enumerate(SESSION_ROUTES)}
    return sorted(rules, key=lambda r: (rank.get(r.endpoint, -1), r.endpoint, r.rule))


def test_auditor_can_change_nothing_through_any_write_route(app, client, session, staff):
    assert staff[AUDITOR].roles == ("auditor",), "the sweep's user holds only the auditor role"
    world = build_world(app, session, staff)
    snapshots, arguments = Snapshots(session), Arguments(session, world)
    auditor = Auditor(app, client)
    csrf_page = _csrf_refusal(client)
    auditor.sign_in()

    failures, outcomes, guessed, sent = [], {}, set(), 0
    for rule in _ordered(write_rules(app)):
        for variant in variants_for(app, session, world, arguments, rule):
            guessed.update(f"{variant.endpoint}: {g}" for g in variant.guesses)
            before = snapshots.take()
            sent += 1
            try:
                response = auditor.send(variant)
            except Exception as exc:  # TESTING propagates errors; report, go on
                failures.append(f"{variant}: raised {type(exc).__name__}: {exc}"[:300])
                outcomes.setdefault(variant.endpoint, set()).add("answered")
                continue
            changed = changes(before, snapshots.take())
            allowed = READ_ONLY_POSTS.get(variant.endpoint)
            if allowed is not None and allowed.starts_job:
                changed = _one_job_only(changed)
            if allowed is not None and allowed.takes_file:
                changed = _one_file_taken(changed)
            if allowed is not None and allowed.own_account:
                changed = _own_row_only(changed, world.staff_ids[AUDITOR])
                if response.status_code == 302:
                    auditor.password = NEW_PASSWORD
            kind, failure = _judge(variant, response, changed, csrf_page)
            outcomes.setdefault(variant.endpoint, set()).add(kind)
            if failure:
                failures.append(f"{variant}: {failure}")
            if _signed_out(response) or response.status_code == 302 and \
                    variant.endpoint == "auth.logout":
                auditor.sign_in()

    for endpoint, kinds in sorted(outcomes.items()):
        if "answered" in kinds:
            continue  # already a failure
        if endpoint in READ_ONLY_POSTS and "reached" not in kinds:
            failures.append(f"{endpoint}: never reached (only {sorted(kinds)}); give the "
                            "sweep an object it can read")
        elif endpoint not in READ_ONLY_POSTS and "role" not in kinds:
            failures.append(f"{endpoint}: never refused for the role (only {sorted(kinds)}); "
                            "give it data that would pass its state and input checks")
    for guess in sorted(guessed):
        warnings.warn(f"auditor sweep guessed {guess}", stacklevel=1)
    assert sent > 100, f"only {sent} requests: the sweep did not find the routes"
    assert not failures, f"{len(failures)} of {sent} auditor requests were not refused:\n" + \
        "\n".join(failures) + "".join(f"\n(guessed {g})" for g in sorted(guessed))


def test_auditor_pages_change_no_business_data(app, client, session, staff):
    """No state change on GET either: every page and download the auditor opens writes
    at most audit events (reads of personal data are events by design)."""
    world = build_world(app, session, staff)
    snapshots, arguments = Snapshots(session), Arguments(session, world)
    auditor = Auditor(app, client)
    auditor.sign_in()
    failures, sent = [], 0
    for rule in read_rules(app):
        for variant in variants_for(app, session, world, arguments, rule, methods=("GET",)):
            before = snapshots.take()
            sent += 1
            try:
                response = client.get(variant.path)
            except Exception as exc:
                failures.append(f"{variant}: raised {type(exc).__name__}: {exc}"[:300])
                continue
            changed = changes(before, snapshots.take())
            signed_out = _signed_out(response) and rule.endpoint != "auth.index"  # a link
            if changed or response.status_code >= 500 or signed_out:
                failures.append(f"{variant}: status {response.status_code}, changed {changed}")
    assert sent > 50, f"only {sent} pages: the sweep did not find the routes"
    assert not failures, f"{len(failures)} of {sent} pages:\n" + "\n".join(failures)


def test_every_listed_read_only_post_is_a_write_route(app):
    endpoints = {rule.endpoint for rule in write_rules(app)}
    assert not set(READ_ONLY_POSTS) - endpoints, "listed, but no such write route any more"


def test_the_snapshot_sees_what_a_caseworker_and_an_admin_change(app, session, staff):
    """The same URL and data building, sent by roles that may act, changes the tables."""
    world = build_world(app, session, staff)
    snapshots, arguments = Snapshots(session), Arguments(session, world)
    rules = {rule.endpoint: rule for rule in write_rules(app)}
    cases = [("cw2", "cases.verify", "application", world.by_state["submitted"]),
             ("cw1", "contributions_page.pay", "payment_batch", None),
             ("admin1", "umk.edit_view", "umk_rate", None)]
    for username, endpoint, table, application_id in cases:
        client = app.test_client()
        login(client, username)
        token = csrf_token(client, "/")
        variants = [v for v in variants_for(app, session, world, arguments, rules[endpoint])
                    if application_id is None or v.path.startswith(f"/cases/{application_id}/")]
        hits = []
        for variant in variants:
            before = snapshots.take()
            response = client.open(variant.path, method=variant.method,
                                   data={**variant.form(), "csrf_token": token})
            changed = changes(before, snapshots.take())
            hits.append((response.status_code, table in changed))
        assert (302, True) in hits, f"{username} {endpoint}: {hits}"


def _write_links(app, prefix: str) -> list[str]:
    with app.test_request_context():
        return [url_for(f"{prefix}.{name}") for name in ("create_view", "edit_view",
                                                         "delete_view")]


def test_auditor_sees_no_create_edit_or_delete_buttons(app, client, session, staff):
    build_world(app, session, staff)
    login(client, "admin1")
    admin_page = client.get("/umk/").get_data(as_text=True)
    assert all(link in admin_page for link in _write_links(app, "umk")), \
        "the admin's UMK list shows the buttons this test looks for"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, AUDITOR)

    opened = []
    for prefix, view in sorted(model_views(app).items()):
        with app.test_request_context():
            index = url_for(f"{prefix}.index_view")
        response = client.get(index)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, index
        opened.append(prefix)
        pages = {index: response.get_data(as_text=True)}
        row = session.execute(select(view.model).limit(1)).scalars().first()
        if row is not None and view.can_view_details:
            with app.test_request_context():
                details = url_for(f"{prefix}.details_view", id=view.get_pk_value(row))
            pages[details] = client.get(details).get_data(as_text=True)
        for page, html in pages.items():
            shown = [link for link in _write_links(app, prefix) if link in html]
            assert not shown, f"{page} shows {shown} to the auditor"
    assert {"applications", "workers", "umk", "budget_years"} <= set(opened)
    assert session.scalar(select(AuditEvent.seq).where(AuditEvent.actor_name == AUDITOR,
                                                       AuditEvent.action.like("admin.%"))
                          ) is None
