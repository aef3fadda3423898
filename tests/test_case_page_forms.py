"""Every form the case page posts carries the request's CSRF token (the page writes it
once for all its forms, issue 16): a submitted case's steps, and an enrolled case's
terminate form and the notices card's consent and withdrawal. A form without it would
be refused by CSRFProtect when a caseworker uses it."""
import re

from tests.factories import enrol, make_budget, make_submitted
from tests.helpers import login
from workflows.notices.consent import record_consent

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


def _posted_forms(html: str) -> dict[str, str]:
    """action -> the form's inside, for every POST form."""
    forms = {}
    for attributes, inside in FORM.findall(html):
        if 'method="post"' in attributes:
            action = re.search(r'action="([^"]*)"', attributes).group(1)
            forms[action] = inside
    return forms


def _check(client, path: str, expected: set[str]) -> None:
    forms = _posted_forms(client.get(path).get_data(as_text=True))
    assert expected <= {action.rsplit("/", 1)[-1] for action in forms}, sorted(forms)
    tokens = {action: TOKEN.findall(inside) for action, inside in forms.items()}
    assert all(len(found) == 1 and found[0] for found in tokens.values()), tokens
    assert len({found[0] for found in tokens.values()}) == 1  # the request's one token


def test_a_submitted_cases_forms(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    _check(client, f"/cases/{application.id}", {"receipt", "verify", "return", "consent"})


def test_an_enrolled_cases_forms(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    member = enrol(session, staff)[0]
    record_consent(session, member.worker, channel="whatsapp", phone="081234567890",
                   actor=staff["cw1"])
    session.commit()
    login(client, "cw1")
    _check(client, f"/cases/{member.id}", {"terminate", "consent", "withdraw", "letter"})
