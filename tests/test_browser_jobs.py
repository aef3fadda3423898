"""Long work in the browser: a caseworker uploads a large DTSEN extract, watches the
job's bar move as a real worker checks the rows, and lands on the result, while a
colleague keeps opening pages the whole time; a head asks for a decree annex and the
browser receives the PDF the worker made, with no further click."""
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from models import AuditEvent, Decree
from tests.browser_helpers import ARTIFACTS, demo_served, sign_in
from tests.job_worker import job_worker, worker_settings
from tests.report_helpers import flat, pdf_pages
from tests.test_imports import DTSEN_HEADER

pytestmark = [pytest.mark.browser]
# Enough rows for a few seconds' work: PostgreSQL checks a well-formed extract a column
# at a time (workflows/imports/set_wise.py), some five times faster than SQLite's reading.
ROWS = {"sqlite": 300_000, "postgresql": 900_000}  # 6-digit serials in the NIK
COLLEAGUE_PAGES = ("/", "/cases/", "/workers/", "/bpjs/")


def _large_extract(path, rows: int):
    with path.open("w") as out:
        out.write(",".join(DTSEN_HEADER) + "\n")
        for i in range(1, rows + 1):
            out.write(f"3275014508{i:06d},3275010101{i:06d},Warga Uji {i},1990-08-05,P,"
                      f"3275011001,{i % 10 + 1}\n")
    return path


def _bar(page) -> int | None:
    """The bar's percentage now, or None between pages or before the first count."""
    try:
        value = page.evaluate("() => document.querySelector('[data-testid=job-bar]')"
                              "?.getAttribute('aria-valuenow')")
    except PlaywrightError:  # the page is navigating
        return None
    return int(value) if value else None


def test_a_large_import_shows_its_progress_while_a_colleague_works(browser, backend, tmp_path):
    extract = _large_extract(tmp_path / "dtsen-besar.csv", ROWS[backend])
    with demo_served(backend, tmp_path, "browser-jobs", **worker_settings(tmp_path)) as (
            app, url), \
            job_worker(app, tmp_path / "worker.log"):
        uploader = browser.new_context(locale="id-ID").new_page()
        colleague = browser.new_context(locale="id-ID").new_page()
        sign_in(uploader, url, "petugas1", DEMO_PASSWORD)
        sign_in(colleague, url, "petugas2", DEMO_PASSWORD)

        uploader.goto(url + "/imports/")
        uploader.set_input_files("[data-testid=file-dtsen]", str(extract))
        uploader.check("[data-testid=scope-partial]")  # one kecamatan of the demo's several
        with uploader.expect_navigation(url="**/jobs/*", timeout=60_000):
            uploader.click("[data-testid=import-dtsen]")

        seen, served, deadline = [], 0, time.monotonic() + 180
        while "/imports/" not in uploader.url:
            assert time.monotonic() < deadline, f"the job did not end; bar at {seen}"
            percent = _bar(uploader)
            if percent is not None and (not seen or percent != seen[-1]):
                seen.append(percent)
                if len(seen) == 2:
                    ARTIFACTS.mkdir(exist_ok=True)
                    uploader.screenshot(path=str(ARTIFACTS / "job-progress.png"))
            answer = colleague.goto(url + COLLEAGUE_PAGES[served % len(COLLEAGUE_PAGES)])
            assert answer.ok, answer.url
            served += 1
            uploader.wait_for_timeout(100)

        uploader.wait_for_load_state()
        assert "/imports/?run=" in uploader.url
        assert f"{ROWS[backend]} baris berhasil diimpor" in uploader.inner_text(".alert")
    assert len(seen) >= 2 and seen == sorted(seen), f"the bar did not move: {seen}"
    assert 0 < seen[0] < 100 and served >= 5, (seen, served)


def test_a_head_receives_the_decree_annex_a_worker_made(browser, backend, tmp_path):
    purpose = "Lampiran untuk arsip SK (uji peramban)"
    with demo_served(backend, tmp_path, "browser-report", **worker_settings(tmp_path)) as (
            app, url), \
            job_worker(app, tmp_path / "worker.log"):
        with app.app_context():
            sk_number = db.session.scalar(select(Decree.sk_number))
        head = browser.new_context(locale="id-ID", accept_downloads=True).new_page()
        sign_in(head, url, "kadis", DEMO_PASSWORD)
        head.goto(url + "/reports/")
        head.fill("#decree-sk", sk_number)
        head.fill("[data-testid=decree-purpose]", purpose)
        # One click: the job's page waits for the worker, then fetches the file itself.
        with head.expect_download(timeout=120_000) as download_info:
            head.click("[data-testid=decree-pdf]")
        download = download_info.value
        content = download.path().read_bytes()
        assert "/jobs/" in head.url
        assert download.suggested_filename.startswith("lampiran-sk_")
        assert sk_number in flat(" ".join(pdf_pages(content)))
        head.reload()  # the file is given once: the page no longer offers it
        assert head.locator("[data-testid=job-file-taken]").is_visible()
        with app.app_context():
            events = db.session.execute(select(AuditEvent.action, AuditEvent.reason).where(
                AuditEvent.action.like("report.%")).order_by(AuditEvent.seq)).all()
        assert events == [("report.generate", purpose), ("report.download", purpose)]
