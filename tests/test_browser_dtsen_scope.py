"""Issue 14 item 2 in Chromium: a 2-row DTSEN file uploaded as a full update no longer
replaces the demo's data aktual; the page says what it would do and asks. Applied as a
partial update, it changes its two people and keeps everyone else. A file with bad rows
shows its first problems on the page."""
import pytest
from sqlalchemy import func, select

from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from models import DtsenRecord
from tests.browser_helpers import ARTIFACTS, demo_served, sign_in
from tests.test_imports import DTSEN_HEADER
from workflows.imports.datasets import current_dataset

pytestmark = [pytest.mark.browser]


def _write(path, rows):
    path.write_text("\n".join(",".join(r) for r in [DTSEN_HEADER, *rows]) + "\n")
    return path


def _dataset(app) -> tuple[int, str, dict]:
    """The data aktual in use: its run id, scope and desil per NIK."""
    with app.app_context():
        run = current_dataset(db.session, "dtsen")
        desil = dict(db.session.execute(select(DtsenRecord.nik, DtsenRecord.desil).where(
            DtsenRecord.dataset_id == run.id)).all())
        db.session.rollback()
        return run.id, run.scope, desil


def _upload(page, url, path):
    page.goto(url + "/imports/")
    page.set_input_files("[data-testid=file-dtsen]", str(path))
    with page.expect_navigation(url="**/imports/?run=*"):
        page.click("[data-testid=import-dtsen]")


def test_a_two_row_full_upload_asks_and_is_applied_as_partial(page, backend, tmp_path):
    with demo_served(backend, tmp_path, "browser-dtsen") as (app, url):
        demo_run, _, before = _dataset(app)
        known = sorted(before)[0]
        with app.app_context():
            kk = db.session.scalar(select(DtsenRecord.no_kk).where(
                DtsenRecord.dataset_id == demo_run, DtsenRecord.nik == known))
            kecamatan = db.session.scalar(select(func.count(func.distinct(
                func.substr(DtsenRecord.kode_kelurahan, 1, 6)))).where(
                DtsenRecord.dataset_id == demo_run))
            db.session.rollback()
        assert len(before) > 4 and kecamatan > 1  # the demo spans several kecamatan
        new_desil = "10" if before[known] != 10 else "9"
        two = _write(tmp_path / "dtsen-2-baris.csv", [
            [known, kk, "WARGA LAMA", "1990-08-05", "P", "3275011001", new_desil],
            ["3275014508990001", "3275010101990001", "WARGA BARU", "1991-02-03", "L",
             "3275011001", "2"]])
        sign_in(page, url, "petugas1", DEMO_PASSWORD)

        _upload(page, url, two)  # "Pembaruan penuh" is preselected
        assert "alert-warning" in page.get_attribute(".alert", "class")
        held = page.locator("[data-testid^=held-]")
        assert held.count() == 1
        assert page.inner_text("[data-testid=rows-now]") == str(len(before))
        assert page.inner_text("[data-testid=rows-new]") == "2"
        assert page.inner_text("[data-testid=kecamatan-missing]").strip() not in ("", "–")
        assert _dataset(app)[0] == demo_run  # nothing replaced yet
        # The full replacement needs the box ticked: the browser does not send it without.
        page.click("[data-testid=confirm-full]")
        assert page.locator("[data-testid=understood]").evaluate("e => e.validity.valueMissing")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dtsen-held.png"), full_page=True)

        with page.expect_navigation(url="**/imports/?run=*"):
            page.click("[data-testid=apply-partial]")
        assert "alert-success" in page.get_attribute(".alert", "class")
        assert page.locator("[data-testid^=held-]").count() == 0
        merged_run, scope, after = _dataset(app)
        assert merged_run != demo_run and scope == "partial"
        assert len(after) == len(before) + 1 and after[known] == int(new_desil)
        assert after["3275014508990001"] == 2
        assert {n: d for n, d in after.items() if n not in (known, "3275014508990001")} == {
            n: d for n, d in before.items() if n != known}

        bad = _write(tmp_path / "dtsen-salah.csv", [
            ["3275014508990002", "3275010101990002", "WARGA", "1991-02-30", "L",
             "3275011001", "11"]])
        _upload(page, url, bad)
        problems = page.inner_text("[data-testid=import-problems]")
        assert "desil harus berupa bilangan bulat dari 1 sampai 10." in problems
        assert "tanggal_lahir" in problems and "3275014508990002" not in problems
        assert page.locator("[data-testid=import-problems] tbody tr").count() == 2
        assert page.locator("[data-testid=problems-download]").count() == 1
        page.screenshot(path=str(ARTIFACTS / "dtsen-problems.png"), full_page=True)
