"""A caseworker walks a draft in Debian's Chromium: the checklist of required documents
shrinks with each upload, "Ajukan" appears only once it is complete, and the message
after submitting says the eligibility result (here: not in DTSEN, so a warning)."""
import pytest

from tests.browser_helpers import ARTIFACTS, click_and_load, served, sign_in
from tests.factories import PASSWORD, make_application, png_bytes

pytestmark = pytest.mark.browser
MISSING = "[data-testid=document-checklist] [data-present=no]"


@pytest.fixture
def draft_server(backend, tmp_path):
    draft = {}

    def populate(session, staff):
        draft["id"] = make_application(session, staff["cw1"]).id

    with served(backend, tmp_path, "draft", populate) as (_app, url):
        yield url, draft["id"]


def test_a_draft_ticks_off_documents_then_submit_says_the_result(page, draft_server,
                                                                  tmp_path):
    base_url, application_id = draft_server
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before submitting
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes())
    sign_in(page, base_url, "cw1", PASSWORD)
    page.goto(f"{base_url}/cases/{application_id}")
    assert page.locator(MISSING).count() == 3
    assert page.locator("[data-testid=submit]").count() == 0
    assert "Dokumen wajib belum ada" in page.inner_text("[data-testid=held-submit]")

    for code, left in (("ktp", 2), ("kk", 1), ("pernyataan_penghasilan", 0)):
        page.set_input_files(f"[data-testid=document-file-{code}]", str(scan))
        click_and_load(page, "[data-testid=upload-document]")
        assert page.locator(MISSING).count() == left
        assert page.locator(f"[data-testid=checklist-{code}][data-present=yes]").count() == 1
    assert page.locator("[data-testid=held-submit]").count() == 0

    click_and_load(page, "[data-testid=submit]")
    assert "Diajukan" in page.inner_text("[data-testid=case-state]")
    assert page.locator(".alert-success").count() == 0
    result = page.inner_text(".alert-warning")
    assert f"#{application_id}" in result
    assert "Tercantum dalam data aktual terkini (DTSEN)" in result
    assert page.locator("[data-testid=document-checklist]").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-submitted-not-eligible.png"), full_page=True)
