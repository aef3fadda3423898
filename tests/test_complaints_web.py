"""The complaint pages for each role: a caseworker files and answers (with the
confirmation), a partner files and reads inside its scope and never answers, heads and
auditors read, the admin does not see them; overdue rows in red, counts on the page."""
import re
from datetime import date

from sqlalchemy import func, select

from models import AuditEvent, Complaint, clock
from tests.helpers import csrf_token, login
from tests.report_helpers import translated
from tests.test_complaints import NIK, _file
from tests.test_partners import ELSEWHERE, HOME, make_partner
from workflows.complaints import answer_complaint

NEW = {"kind": "sanggahan", "complainant_name": "Bapak Joko", "contact": "0812 3456 7890",
       "kelurahan_code": HOME, "text": "Nama saya tidak ada di SK.", "nik": NIK,
       "received_on": ""}


def _post(client, page, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def test_a_caseworker_files_and_answers_on_the_pages(app, client, session, staff):
    login(client, "cw1")
    response = _post(client, "/complaints/new", "/complaints/new", NEW)
    assert response.status_code == 302
    complaint = session.execute(select(Complaint)).scalar_one()
    assert (complaint.kind, complaint.nik, complaint.due_on) == ("sanggahan", NIK,
                                                                 date(2026, 7, 24))
    page = f"/complaints/{complaint.id}"
    html = client.get(page).get_data(as_text=True)
    assert NIK not in html and NIK[-4:] in html  # masked on the page
    assert translated(app, "%(n)d days left", n=14) in html
    reads = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "complaint.view", AuditEvent.entity_id == str(complaint.id)))
    assert reads == 1
    unconfirmed = _post(client, page, page + "/answer", {"answer": "Sudah kami periksa."})
    assert unconfirmed.status_code == 422
    assert session.get(Complaint, complaint.id).status == "open"
    done = _post(client, page, page + "/answer", {"answer": "Sudah kami periksa.",
                                                  "confirm": "y"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Complaint, complaint.id).status == "answered"
    again = client.post(page + "/answer", data={"answer": "Lagi", "confirm": "y",
                                                "csrf_token": csrf_token(client, page)})
    assert again.status_code == 409  # the second click changes nothing and says so
    assert translated(app, "Complaint %(number)s was already answered; nothing was changed.",
                      number=complaint.number) in again.get_data(as_text=True)
    closed = _post(client, page, page + "/close", {})
    assert closed.status_code == 302
    session.expire_all()
    assert session.get(Complaint, complaint.id).status == "closed"


def test_the_list_shows_the_deadline_overdue_in_red_and_the_counts(app, client, session,
                                                                    staff):
    with clock.pinned(date(2026, 6, 1)):
        late = _file(session, staff["cw1"])
    with clock.pinned(date(2026, 6, 2)):
        answered = _file(session, staff["cw1"])
        answer_complaint(session, answered, answer="Dijawab.", actor=staff["cw2"])
    fresh = _file(session, staff["cw1"])
    session.commit()
    login(client, "head")
    html = client.get("/complaints/?show=open").get_data(as_text=True)
    tag = re.search(rf'<tr [^>]*data-complaint="{late.number}"[^>]*>', html).group(0)
    assert "table-danger" in tag and 'data-testid="overdue"' in tag
    row = html.split(f'data-complaint="{late.number}"')[1].split("</tr>")[0]
    assert translated(app, "overdue by %(n)d days", n=25) in row  # due 15 June, now 10 July
    assert fresh.number in html and answered.number not in html
    overdue = client.get("/complaints/?show=overdue").get_data(as_text=True)
    assert late.number in overdue and fresh.number not in overdue
    assert answered.number in client.get("/complaints/?show=answered").get_data(as_text=True)
    counts = client.get("/complaints/?from=2026-06-01&to=2026-06-30").get_data(as_text=True)
    counts = counts.split('data-testid="complaint-counts"')[1].split("</table>")[0]
    for name, value in (("received", 2), ("in_time", 1), ("late", 0), ("open", 1),
                        ("overdue", 1)):
        assert f'data-count="{name}"' in counts
        assert counts.split(f'data-count="{name}"')[1].split("</td>")[0].endswith(f">{value}")


def test_a_partner_files_and_reads_in_its_scope_only(client, session, staff):
    make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    far = _file(session, staff["cw1"], kelurahan_code=ELSEWHERE, complainant_name="Jauh")
    session.commit()
    login(client, "kel_bekasijaya")
    form = client.get("/complaints/new").get_data(as_text=True)
    assert f'value="{ELSEWHERE}"' not in form
    assert _post(client, "/complaints/new", "/complaints/new", NEW).status_code == 302
    mine = session.execute(select(Complaint).where(Complaint.kelurahan_code == HOME)
                           ).scalar_one()
    listing = client.get("/complaints/?show=all").get_data(as_text=True)
    assert mine.number in listing and far.number not in listing
    assert client.get(f"/complaints/{far.id}").status_code == 404
    page = f"/complaints/{mine.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="answer-form"' not in html
    refused = client.post(page + "/answer", data={"answer": "x", "confirm": "y",
                                                  "csrf_token": csrf_token(client, page)})
    assert refused.status_code == 403 and session.get(Complaint, mine.id).status == "open"


def test_auditor_and_head_read_the_admin_does_not_see_them(client, session, staff):
    complaint = _file(session, staff["cw1"])
    session.commit()
    for username, expected in (("audit1", 200), ("head", 200), ("admin1", 403)):
        other = client.application.test_client()
        login(other, username)
        assert other.get("/complaints/").status_code == expected
        assert other.get(f"/complaints/{complaint.id}").status_code == expected
        if expected == 200:
            html = other.get(f"/complaints/{complaint.id}").get_data(as_text=True)
            assert 'data-testid="answer-form"' not in html
            page = f"/complaints/{complaint.id}"
            for path, data in ((page + "/answer", {"answer": "x", "confirm": "y"}),
                               (page + "/close", {}), ("/complaints/new", NEW)):
                token = csrf_token(other, page)
                assert other.post(path, data={**data, "csrf_token": token}).status_code == 403
            assert other.get("/complaints/new").status_code == 403
    assert session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert session.get(Complaint, complaint.id).status == "open"
    readers = set(session.scalars(select(AuditEvent.actor_name).where(
        AuditEvent.action == "complaints.list", AuditEvent.entity_type == "complaint",
        AuditEvent.entity_id == str(complaint.id))))
    assert readers == {"audit1", "head"}  # the list names the complainant: a read each
