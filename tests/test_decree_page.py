"""The decree page as a head uses it (issue 14 items 3 and 6): a refused signature keeps
what was typed, the same form sent twice says the SK is already entered and applies
nothing again, and the page prints its own annex without retyping the SK number."""
import re
from datetime import date

from sqlalchemy import func, select

from models import Application, AuditEvent, BudgetLedger, Decree
from tests.factories import make_budget, make_verified
from tests.helpers import csrf_token, job_file, login
from tests.report_helpers import flat, pdf_pages, translated
from workflows.approval import approve_batch

SK = "500.15.1/Kep.0712-Disnaker/VII/2026"


def _propose(client, *cases) -> str:
    """The head proposes ``cases`` on the ranking; the proposal's page."""
    proposed = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026",
        "application_id": [str(c.id) for c in cases]})
    assert proposed.status_code == 302
    return proposed.headers["Location"]


def _sign(client, page, sk_number, sk_date="2026-07-08"):
    return client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                             "sk_number": sk_number, "sk_date": sk_date})


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_refused_signature_keeps_the_sk_number_and_date(client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    earlier, case = (make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(2))
    approve_batch(session, fiscal_year=2026, application_ids=[earlier.id], sk_number=SK,
                  sk_date=date(2026, 7, 1), actor=staff["head"])
    session.commit()
    login(client, "head")
    page = _propose(client, case)
    refused = _sign(client, page, SK)  # the number of the earlier SK, typed by mistake
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "sudah dicatat untuk" in html
    assert f'name="sk_number" value="{SK}"' in html and 'value="2026-07-08"' in html
    session.expire_all()
    assert session.get(Application, case.id).state == "verified"
    assert _sign(client, page, SK.replace("0712", "0713")).status_code == 302


def test_the_same_forms_sent_twice_say_so_and_apply_once(app, client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    cases = [make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(2)]
    session.commit()
    login(client, "head")
    page = _propose(client, *cases)
    again = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026",
        "application_id": [str(c.id) for c in cases]})
    assert again.status_code == 409 and translated(
        app, "Proposal %(number)s with these applications is already made; nothing was "
        "proposed twice.", number="USULAN-2026-001") in again.get_data(as_text=True)
    token = csrf_token(client, page)
    form = {"csrf_token": token, "sk_number": SK, "sk_date": "2026-07-08"}
    assert client.post(f"{page}/sign", data=form).status_code == 302
    twice = client.post(f"{page}/sign", data=form)  # back, and the same form again
    html = twice.get_data(as_text=True)
    assert twice.status_code == 409
    assert translated(app, "SK %(sk)s is already entered, for these applications "
                      "(%(number)s); nothing was applied twice.", sk=SK,
                      number="USULAN-2026-001") in html
    assert "another decree" not in html and f"SK {SK}</h1>" in html  # the decree's page
    assert _count(session, Decree) == 1
    assert _count(session, BudgetLedger, BudgetLedger.kind == "commit") == 2
    assert _count(session, AuditEvent, AuditEvent.action == "decree.sign") == 1
    # A double click is no attempt at something refused: the auditors' log has none.
    assert _count(session, AuditEvent, AuditEvent.action.like("%.refused")) == 0


def test_the_decree_page_prints_its_annex(client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    case = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    page = _propose(client, case)
    assert _sign(client, page, SK).status_code == 302
    form = re.search(r'<form method="post" action="(/reports/decree)">(.*?)</form>',
                     client.get(page).get_data(as_text=True), re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[2]))
    assert fields["sk_number"] == SK  # nothing to retype
    printed = job_file(client, client.post(form[1], data={
        **fields, "format": "pdf", "purpose": "Arsip SK penetapan peserta"}))
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = flat(" ".join(pdf_pages(printed.data)))
    assert SK in text and case.worker.full_name in text
    for fmt in ("xlsx", "csv"):
        assert f'data-testid="print-decree-{fmt}"' in form[2]
