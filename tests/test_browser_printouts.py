"""At the desk: a caseworker prints the receipt from the case page, the browser receives
the PDF, and the address printed on it opens the public status page for anyone."""
import pytest
from sqlalchemy import select

from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from caseapp.status.views import PUBLIC_STATES
from models import Application
from reports.formatting import masked_nik
from tests.browser_helpers import demo_served, sign_in
from tests.report_helpers import flat, pdf_pages, translated

pytestmark = [pytest.mark.browser]


def test_a_caseworker_prints_the_receipt_and_its_address_shows_the_status(
        browser, backend, tmp_path):
    with demo_served(backend, tmp_path, "browser-printouts") as (app, url):
        with app.app_context():
            application = db.session.scalars(select(Application).order_by(Application.id)).first()
            number, nik, state = application.id, application.worker.nik, application.state
        desk = browser.new_context(locale="id-ID", accept_downloads=True).new_page()
        sign_in(desk, url, "petugas1", DEMO_PASSWORD)
        desk.goto(f"{url}/cases/{number}")
        with desk.expect_download() as download_info:
            desk.click("[data-testid=print-receipt]")
        download = download_info.value
        assert download.suggested_filename == f"tanda-terima_{number}.pdf"
        text = flat(" ".join(pdf_pages(download.path().read_bytes())))
        assert str(number) in text and masked_nik(nik) in text and nik not in text
        address = next(word for word in text.split() if word.startswith(f"{url}/status/"))

        phone = browser.new_context(locale="id-ID").new_page()  # nobody signed in
        answer = phone.goto(address)
        assert answer.status == 200
        assert phone.inner_text("[data-testid=status-number]") == str(number)
        assert phone.inner_text("[data-testid=status-state]") == translated(
            app, PUBLIC_STATES[state].template)
        assert phone.goto(address[:-2] + "xx").status == 404
