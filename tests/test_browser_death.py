"""A death in Debian's Chromium, from the family's report at the desk to the heir's letter
and the refund line: the caseworker records the death on the case page (the month of
death stays covered, the months paid ahead go to the refund ledger), records the JKM
claim with the heir, attaches the three documents and prints the membership letter the
heir takes to BPJS; the refund ledger then shows what BPJS owes back."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from models import AuditEvent, RefundLine
from tests.browser_helpers import click_and_load, served, sign_in
from tests.factories import PASSWORD, enrol, make_budget, png_bytes
from tests.report_helpers import flat, pdf_pages
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment

pytestmark = pytest.mark.browser
DIED_ON = "2026-06-20"  # the clock reads 10 July 2026 (tests/conftest_config.FIXTURE_DAY)
PREMIUM = 16_800


@pytest.fixture
def desk(backend, tmp_path):
    member = {}

    def populate(session, staff):
        make_budget(session, staff["admin1"], places=2)
        (application,) = enrol(session, staff, full_name="Sutarno Wijaya")
        batch = generate_contributions(session, first_month=date(2026, 1, 1), months=12,
                                       actor=staff["cw1"])
        record_payment(session, batch, sp2d_number="SP2D-2026-DUKA", sp2d_date=date(2026, 1, 12),
                       invoice_number="INV-2026-DUKA", actor=staff["cw1"])
        member.update(id=application.id, kpj=application.kpj)

    with served(backend, tmp_path, "death", populate) as (app, url):
        yield app, url, member


def test_a_death_from_the_report_to_the_heirs_letter_and_the_refund_line(browser, desk,
                                                                        tmp_path):
    app, url, member = desk
    page = browser.new_context(locale="id-ID", accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
    sign_in(page, url, "cw1", PASSWORD)

    # The family reports the death: the case page ends the membership with its date.
    page.goto(f"{url}/cases/{member['id']}")
    page.select_option("[data-testid=exit-reason]", "meninggal")
    assert page.locator("[data-testid=date-of-death]").is_visible()
    assert not page.locator("[data-testid=effective-month]").is_visible()
    page.fill("[data-testid=date-of-death]", DIED_ON)
    page.fill("[data-testid=terminate-form] input[name=note]", "Akta kematian 3275-KM-2026-0415")
    click_and_load(page, "[data-testid=terminate]")
    assert "Meninggal" in page.inner_text("[data-testid=exit-shown]")
    assert "Juli 2026" in page.inner_text("[data-testid=exit-shown]")  # first month not owed
    assert page.inner_text("[data-testid=date-of-death-shown]") == "20 Juni 2026"
    refunds = page.locator("[data-testid=case-refund-lines] tbody tr")
    assert refunds.count() == 6  # July to December were paid ahead

    # The claim: JKM for the heir, with its documents.
    click_and_load(page, "[data-testid=record-claim]")
    page.select_option("#kind", "jkm")
    page.fill("#event_date", DIED_ON)
    page.fill("#heir_name", "Siti Aminah")
    page.select_option("#heir_relation", "suami_istri")
    click_and_load(page, "[data-testid=save-claim]")
    assert page.inner_text("[data-testid=heir]").startswith("Siti Aminah")
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes())
    for kind in ("akta_kematian", "surat_ahli_waris", "kartu_kpj"):
        page.select_option("[data-testid=claim-upload] select[name=kind]", kind)
        page.set_input_files("[data-testid=claim-upload] input[type=file]", str(scan))
        click_and_load(page, "[data-testid=upload-claim-document]")
    assert page.locator("[data-testid=missing]").count() == 0
    assert page.locator("[data-testid=claim-documents] li a").count() == 3

    # The letter the heir takes to BPJS.
    with page.expect_download() as download_info:
        page.click("[data-testid=claim-letter]")
    letter = flat(" ".join(pdf_pages(download_info.value.path().read_bytes())))
    assert "Sutarno Wijaya" in letter and member["kpj"] in letter
    assert "Siti Aminah" in letter and "20 Juni 2026" in letter
    assert re.search(r"[0-9a-f]{64}", letter), "the audit chain head is printed"

    # The refund ledger: what BPJS owes back for the months paid after the death.
    page.goto(f"{url}/refunds/")
    total = page.inner_text("[data-testid=refund-total-2026]")
    assert "Rp100.800" in total  # 6 x Rp16.800
    rows = page.locator("[data-testid=refund-lines] tbody tr", has_text=f"#{member['id']}")
    assert rows.count() == 6 and "SP2D-2026-DUKA" in rows.first.inner_text()

    with app.app_context():
        lines = db.session.scalars(select(RefundLine).where(
            RefundLine.application_id == member["id"]).order_by(RefundLine.month)).all()
        assert [line.month for line in lines] == [date(2026, m, 1) for m in range(7, 13)]
        assert {line.amount for line in lines} == {PREMIUM}
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.actor_name == "cw1")))
        assert {"membership_exit.record", "refund.open", "claim.record",
                "claim.document_upload", "report.generate"} <= actions
