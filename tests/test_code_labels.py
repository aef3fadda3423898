"""Codes read as words (issue 14 item 5): admin lists and details, the case timeline, the
audit workspace and the audit report show labels (the code only in a tooltip), Rp
amounts, WIB times, choice-list filters, and refusals translated with their cases."""
import ast
import html as html_lib
import json
import re
from pathlib import Path

from sqlalchemy import select

from caseapp.audit_workspace.labels import ACTION_LABELS, action_label
from models import AuditEvent
from tests.factories import make_budget, make_submitted, make_verified
from tests.helpers import csrf_token, login
from tests.report_helpers import flat, pdf_pages, run_report, translated
from tests.test_reports import FROM, TO
from workflows.states import TRANSITIONS

ROOT = Path(__file__).resolve().parent.parent


def _visible(html: str) -> str:
    """The page's text as read: no tags, attributes (tooltips), scripts or filter data."""
    html = re.sub(r"<(script|style)\b.*?</\1>|<div id=\"[a-z-]+-data\".*?</div>", " ", html,
                  flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _get(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _no_raw_times(text: str) -> None:
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00|UTC", text), text


def test_admin_lists_show_labels_rupiah_and_wib_times(app, client, session, staff):
    application = make_submitted(session, staff["cw1"], category="pekerja_lepas")
    make_budget(session, staff["admin1"], places=10)
    session.commit()
    login(client, "audit1")
    for path in ("/applications/", f"/applications/details/?id={application.id}"):
        html = _get(client, path)
        text = _visible(html)
        assert translated(app, "Walk-in at Disnaker") in text and "walk_in" not in text
        assert 'title="walk_in"' in html and 'title="submitted"' in html
        assert translated(app, "Submitted") in text and "submitted" not in text
        assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB", text)
        _no_raw_times(text)
    for path in ("/workers/", f"/workers/details/?id={application.worker_id}"):
        text = _visible(_get(client, path))
        assert translated(app, "b. Freelance worker (pekerja lepas)") in text
        assert translated(app, "Male (L)") in text and "pekerja_lepas" not in text
    details = _visible(_get(client, f"/workers/details/?id={application.worker_id}"))
    assert "Rp2.000.000" in details and " 2000000 " not in details
    assert "RT 001 RW 002" in details and "Rt " not in details
    budget = _visible(_get(client, "/budget_years/"))
    assert "Rp2.016.000" in budget and "Rp16.800" in budget and "2016000" not in budget
    assert translated(app, "Current") in budget and " open " not in f" {budget} "
    client = app.test_client()
    login(client, "admin1")
    users = _get(client, "/users/")
    assert "active: true" not in users and "true" not in _visible(users)
    assert translated(app, "Yes") in _visible(users)
    _no_raw_times(_visible(users))


def _filter_arg(html: str, column: str, operation: str) -> str:
    """The query argument of a list's filter, from the filter data the page carries."""
    groups = json.loads(html_lib.unescape(re.search(
        r'id="filter-groups-data"[^>]*>(.*?)</', html, flags=re.S).group(1)))
    return next(f"flt0_{f['arg']}" for f in groups[column] if f["operation"] == operation)


def test_code_columns_are_filtered_by_choosing_a_label(app, client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    html = _get(client, "/applications/")
    groups = html_lib.unescape(html)
    label = translated(app, "Walk-in at Disnaker")
    assert f'["walk_in", "{label}"]' in groups and f'["partner", "{translated(app, "Partner")}"]' \
        in groups
    channel = _filter_arg(html, translated(app, "Channel"), "sama dengan")  # Flask-Admin's
    assert f'href="/applications/details/?id={application.id}' in _get(
        client, f"/applications/?{channel}=walk_in")
    assert f"/applications/details/?id={application.id}" not in _get(
        client, f"/applications/?{channel}=partner")
    assert "mengandung" not in json.dumps(re.findall(r'"Jalur pengajuan": \[[^\]]*\]', groups))


def _written_actions() -> tuple[set[str], list[str]]:
    """Every action code the code writes: literals passed to the record functions, as
    ``action=`` or an ``"action"`` key or the default of an ``action`` parameter, and
    the f-strings among them (their expansions are listed in the test)."""
    writers = {"record", "record_read", "record_change", "record_list_reads",
               "_record_report_event"}
    codes, templates = set(), []

    def take(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", node.value):  # not argparse's
            codes.add(node.value)
        elif isinstance(node, ast.JoinedStr):
            templates.append(ast.unparse(node))

    for package in ("workflows", "caseapp", "reports"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", getattr(node.func, "attr", None))
                    if name in writers and len(node.args) > 2:
                        take(node.args[2])
                    for keyword in node.keywords:
                        if keyword.arg == "action":
                            take(keyword.value)
                elif isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values):
                        if isinstance(key, ast.Constant) and key.value == "action":
                            take(value)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    arguments = node.args.args + node.args.kwonlyargs
                    defaults = ([None] * (len(node.args.args) - len(node.args.defaults))
                                + node.args.defaults + node.args.kw_defaults)
                    for argument, default in zip(arguments, defaults):
                        if argument.arg == "action" and default is not None:
                            take(default)
    return codes, templates


def test_every_action_the_code_writes_has_a_label():
    codes, templates = _written_actions()
    expansions = {
        "f\"application.{name}\"": [f"application.{t}" for t in TRANSITIONS],
        "f'application.{verb}'": ["application.approve", "application.continue"],
        "f'application.{transition.name}'": [f"application.{t}" for t in TRANSITIONS],
        "f'admin.{('create' if is_created else 'update')}.{self.audit_name}'":
            ["admin.create.umk_rate", "admin.update.budget_year"],
        "f'admin.delete.{self.audit_name}'": ["admin.delete.umk_rate"],
        "f'{self.read_action}_search'": ["application.view_search", "worker.view_search"],
        "f'job.{('finished' if status == 'done' else 'failed')}'": ["job.finished",
                                                                     "job.failed"],
        "f'role_grant.{outcome}'": ["role_grant.confirmed", "role_grant.declined",
                                    "role_grant.withdrawn"],
        "f'subject_request.{OUTCOMES[outcome]}'": ["subject_request.fulfil",
                                                   "subject_request.decline"],
        "f'import.{status}'": ["import.applied", "import.held"],
        "f'{request.endpoint}.{suffix}'": ["cases.verify.refused", "imports.index.denied"],
    }
    unknown = [t for t in templates if t.replace('"', "'") not in
               {k.replace('"', "'") for k in expansions}]
    assert not unknown, f"list what these write: {unknown}"
    written = codes | {c for t in templates for c in expansions[
        next(k for k in expansions if k.replace('"', "'") == t.replace('"', "'"))]}
    assert {"application.submit", "decree.sign", "auth.login_failed"} <= written
    assert len(written) > 60  # the scan found the writers
    unlabelled = sorted(c for c in written if action_label(c) == c)
    assert not unlabelled, unlabelled
    assert action_label("made.up") == "made.up"  # unknown codes stay visible as they are


def test_case_timeline_and_audit_pages_show_labels_not_codes(app, client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    submit = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.submit",
        AuditEvent.entity_id == str(application.id))).scalar_one()
    submitted = translated(app, "Application submitted")
    login(client, "cw1")
    timeline = _get(client, f"/cases/{application.id}").split('data-testid="timeline"', 1)[1]
    assert submitted in _visible(timeline) and "application.submit" not in _visible(timeline)
    assert 'title="application.submit"' in timeline
    client = app.test_client()
    login(client, "audit1")
    caseworker = translated(app, "Caseworker")
    for path in ("/audit/", f"/audit/entity/application/{application.id}",
                 f"/audit/event/{submit.seq}", f"/audit/worker/{application.worker_id}"):
        html = _get(client, path)
        # The stored diff (a hashed record) is shown as it was written.
        text = _visible(re.sub(r'<table[^>]*data-testid="diff".*?</table>|<pre.*?</pre>', "",
                               html, flags=re.S))
        assert "application.submit" not in text and "<code>application" not in html, path
        assert not re.search(r"\b(caseworker|app_user|worker \d)", text), path
        if path != f"/audit/worker/{application.worker_id}":
            assert submitted in text, path
    events = _visible(_get(client, "/audit/"))
    assert caseworker in events and translated(app, "Application") in events


def test_audit_filters_are_choice_lists(app, client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    html = _get(client, "/audit/")
    for name in ("actor", "role", "action", "entity_type"):
        assert re.search(rf'<select[^>]*name="{name}"', html), name
    assert f'<option value="application.submit">{translated(app, "Application submitted")}' \
        in html
    assert f'<option value="worker">{translated(app, "Worker")}</option>' in html
    assert '<option value="cw1">Pegawai cw1 (cw1)</option>' in html
    by_role = _get(client, f"/audit/?role=caseworker&entity_type=application"
                           f"&entity_id={application.id}")
    assert 'data-seq' in by_role
    assert "data-seq" not in _get(client, f"/audit/?role=head&entity_type=application"
                                          f"&entity_id={application.id}")
    assert "data-seq" not in _get(client, "/audit/?role=cas")  # a whole role, not a part


def _refused_proposal(client, session, staff) -> tuple[int, AuditEvent]:
    """cwhead took the case in, then as head proposes it for approval: refused."""
    make_budget(session, staff["admin1"], places=2)
    application = make_verified(session, staff["cwhead"], staff["cw2"])
    session.commit()
    login(client, "cwhead")
    response = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026",
        "application_id": str(application.id)})
    assert response.status_code == 403
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "approval.propose.refused")).scalar_one()
    return application.id, event


def test_a_refused_approval_reads_translated_with_its_case(app, client, session, staff):
    application_id, event = _refused_proposal(client, session, staff)
    template = "You took in or verified application(s) %(ids)s; another head must decide them."
    assert event.reason == template  # stored untranslated, the number kept aside
    assert json.loads(event.diff)["parameters"] == [None, {"ids": str(application_id)}]
    expected = translated(app, template, ids=str(application_id))
    client = app.test_client()
    login(client, "audit1")
    for path in ("/audit/?action=approval.propose.refused&action_match=exact",
                 f"/audit/event/{event.seq}"):
        html = _get(client, path)
        assert expected in _visible(html) and "%(ids)s" not in html, path
        assert f'href="/cases/{application_id}" data-testid="linked-case"' in html
        assert translated(app, "Refused attempt") in _visible(html)


def test_the_audit_report_pdf_shows_the_refusal_translated(app, client, session, staff,
                                                             tmp_path):
    application_id, _event = _refused_proposal(client, session, staff)
    content = run_report(app, ["audit", "--from", FROM, "--to", TO, "--as", "audit1"],
                         tmp_path / "a.pdf")
    everything = flat(" ".join(pdf_pages(content)))
    refusal = translated(app, "You took in or verified application(s) %(ids)s; another head "
                              "must decide them.", ids=str(application_id))
    assert flat(refusal) in everything and "%(ids)s" not in everything
    assert translated(app, "Application %(id)s", id=application_id) in everything
    assert translated(app, "Refused attempt") in everything
    assert translated(app, "Application submitted") in everything  # events by action


def test_every_label_is_a_distinct_text():
    """Two actions read alike would make the filter list ambiguous."""
    labels = [label.template for label in ACTION_LABELS.values()]
    assert len(labels) == len(set(labels))
