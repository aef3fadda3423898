"""The case page offers only the steps the user may take now and says why the others of
their role are held back, from the same state table the verbs obey; a draft ticks off
its required documents; the submit message carries the eligibility result."""
import html as html_lib
import io
import re

import pytest

from tests.factories import (add_documents, load_dtsen, make_application, make_budget,
                             make_submitted, make_verified, png_bytes)
from tests.helpers import csrf_token, login
from workflows.errors import NotAllowed
from workflows.proposal import propose_batch
from workflows.states import apply_transition, availability

TAKER_IN = ("Anda yang menerima permohonan ini, sehingga verifikasi harus dilakukan oleh "
            "petugas lain.")
DTSEN_RULE = "Tercantum dalam data aktual terkini (DTSEN)"
INCOME_RULE = "Penghasilan yang dinyatakan tidak melebihi batas (UMK)"


def _post(client, page, path, data=None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)},
                       **kwargs)


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags gone, entities read, spaces folded."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _held(html: str, name: str) -> str | None:
    """The reason the page gives for holding back step ``name``, if it lists one."""
    match = re.search(rf'<li data-testid="held-{name}">(.*?)</li>', html, re.S)
    return _text(match.group(1)) if match else None


def _checklist(html: str) -> dict[str, bool]:
    return {code: present == "yes" for code, present in re.findall(
        r'data-testid="checklist-([a-z_]+)" data-present="(yes|no)"', html)}


def _alerts(html: str, category: str) -> list[str]:
    return [_text(a) for a in re.findall(
        rf'<div class="alert alert-{category}[^"]*">(.*?)</div>', html, re.S)]


def _button(name: str) -> str:
    return f'data-testid="{name}"'


def test_availability_gives_every_guard_refusal_and_the_verb_raises_the_first(session, staff):
    """The page and the verb read the same table: the taker-in of a case that failed the
    eligibility check hears both reasons; the verb refuses with the first of them."""
    application = make_submitted(session, staff["cw1"], desil=None)  # not in DTSEN
    step = availability(application, "verify", staff["cw1"])
    assert step.applies and step.refused and not step.allowed
    taker_in, failed = step.refusals
    assert isinstance(taker_in, NotAllowed) and "another caseworker" in taker_in.message.template
    assert failed.message.template.startswith("The latest eligibility evaluation did not pass")
    with pytest.raises(NotAllowed) as refused:
        apply_transition(session, application, "verify", actor=staff["cw1"])
    assert refused.value.message.template == taker_in.message.template
    # Another role's step, or one the state does not offer, is not the actor's to hear about.
    assert availability(application, "verify", staff["head"]).applies is False
    assert availability(application, "submit", staff["cw1"]).applies is False
    assert availability(application, "reject", staff["cw1"]).allowed


def test_the_taker_in_sees_no_verify_button_but_the_reason(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "cw1")
    html = client.get(page).get_data(as_text=True)
    assert _button("verify") not in html
    assert _held(html, "verify") == f"Verifikasi: {TAKER_IN}"
    assert _button("return") in html and _button("reject") in html
    assert _held(html, "return") is None and "Tidak ada tindakan" not in html

    client.post("/auth/logout", data={"csrf_token": csrf_token(client, page)})
    login(client, "cw2")
    html = client.get(page).get_data(as_text=True)
    assert _button("verify") in html and _held(html, "verify") is None
    assert 'data-testid="held-actions"' not in html


def test_roles_without_a_step_see_neither_buttons_nor_reasons(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    for username in ("head", "audit1"):
        login(client, username)
        html = client.get(page).get_data(as_text=True)
        for name in ("submit", "verify", "return", "reject", "decline", "send-back"):
            assert _button(name) not in html
        assert 'data-testid="held-actions"' not in html
        assert "Tidak ada tindakan yang dapat Anda lakukan pada status ini." in html
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, page)})


def test_the_head_hears_why_a_case_in_an_open_proposal_is_not_declined(client, session,
                                                                        staff):
    application = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "head")
    html = client.get(page).get_data(as_text=True)
    assert _button("decline") in html and _button("send-back") in html
    assert _button("verify") not in html and "Tidak ada tindakan" not in html

    make_budget(session, staff["admin1"])
    propose_batch(session, fiscal_year=2026, application_ids=[application.id],
                  actor=staff["head"])
    session.commit()
    html = client.get(page).get_data(as_text=True)
    assert _button("decline") not in html and _button("send-back") not in html
    for name in ("decline", "send_back"):
        assert f"Permohonan {application.id} tercantum dalam usulan yang masih terbuka" in (
            _held(html, name))


def test_a_head_who_verified_a_case_is_not_offered_to_decline_it(client, session, staff):
    """Separation of duties is a guard of the step, so the page leaves the button out
    and says why instead of offering a click the verb refuses."""
    application = make_verified(session, staff["cw1"], staff["cwhead"])
    session.commit()
    login(client, "cwhead")
    html = client.get(f"/cases/{application.id}").get_data(as_text=True)
    assert _button("decline") not in html and _button("send-back") in html
    assert "kepala dinas lain" in _held(html, "decline")
    refused = _post(client, f"/cases/{application.id}", f"/cases/{application.id}/decline",
                    {"reason": "Uji pemisahan tugas"})
    assert refused.status_code == 403
    session.refresh(application)
    assert application.state == "verified"


def test_a_draft_ticks_off_its_documents_and_offers_submit_once_complete(client, session,
                                                                        staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "cw1")
    html = client.get(page).get_data(as_text=True)
    assert _checklist(html) == {"kk": False, "ktp": False, "pernyataan_penghasilan": False}
    assert _button("submit") not in html
    assert _held(html, "submit") == ("Ajukan: Dokumen wajib belum ada: Kartu Keluarga, KTP "
                                     "(Kartu Tanda Penduduk), Surat pernyataan penghasilan.")
    assert "Tidak ada tindakan" not in html

    for done, code in enumerate(("ktp", "kk", "pernyataan_penghasilan"), start=1):
        upload = _post(client, page, f"{page}/documents", {
            f"file-{code}": (io.BytesIO(png_bytes()), f"{code}.png")},
            content_type="multipart/form-data")
        assert upload.status_code == 302
        html = client.get(page).get_data(as_text=True)
        checklist = _checklist(html)
        assert checklist[code] and sum(checklist.values()) == done
        assert (_button("submit") in html) == (done == 3)
    assert _held(html, "submit") is None

    assert _post(client, page, f"{page}/submit").status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="document-checklist"' not in html  # submitted: nothing to tick off


def test_submit_says_the_case_is_eligible_in_success_style(client, session, staff):
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 2)])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "cw1")
    html = _post(client, page, f"{page}/submit", follow_redirects=True).get_data(as_text=True)
    session.refresh(application)
    assert application.state == "submitted"
    [message] = _alerts(html, "success")
    assert f"#{application.id}" in message and DTSEN_RULE not in message
    assert _alerts(html, "warning") == []


def test_submit_names_the_failed_rules_in_warning_style(client, session, staff):
    """Not in DTSEN and above the income cap: submitted (the verifier returns or rejects
    it), but the caseworker reads the result, never a plain success."""
    application = make_application(session, staff["cw1"], monthly_income=9_000_000)
    add_documents(session, application, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "cw1")
    html = _post(client, page, f"{page}/submit", follow_redirects=True).get_data(as_text=True)
    session.refresh(application)
    assert application.state == "submitted"
    assert _alerts(html, "success") == []
    [message] = [m for m in _alerts(html, "warning") if f"#{application.id}" in m]
    assert DTSEN_RULE in message and INCOME_RULE in message
    assert "Kategori" not in message  # a rule that passed is not named
