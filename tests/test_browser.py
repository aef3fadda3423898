"""The real login page in Debian's Chromium, driven by Playwright: each demo role
signs in and sees exactly its own menus."""
import re

import pytest

from caseapp.demo import DEMO_PASSWORD
from models import clock
from tests.browser_helpers import ARTIFACTS, click_and_load, demo_served, sign_in
from tests.factories import png_bytes
from workflows.budget import decision_year

pytestmark = [pytest.mark.browser, pytest.mark.calendar]
_REFERENCE = {"/kecamatan/", "/kelurahan/", "/umk/", "/contributions/", "/policy/",
              "/document_types/"}
_BUDGET = {"/budget/", "/budget_years/", "/budget_quotas/"}
_EVERYONE = {"/bpjs/", "/reports/"}
_PRIVACY = {"/privacy/", "/renewal/"}  # data subject requests and renewal: caseworker, head,
# auditor
MENUS = {
    "petugas1": {"/cases/", "/cases/new", "/imports/", "/applications/", "/workers/"} | _EVERYONE
    | _PRIVACY,
    "kadis": {"/cases/", "/applications/", "/approval/"} | _BUDGET | _EVERYONE | _PRIVACY,
    "auditor": {"/cases/", "/applications/", "/workers/", "/audit/", "/approval/"}
    | _REFERENCE | _BUDGET | _EVERYONE | _PRIVACY,
    "admin": {"/users/", "/imports/"} | _REFERENCE | _BUDGET | _EVERYONE,
}
ALL_VIEWS = set().union(*MENUS.values())


@pytest.fixture(scope="session")
def live_server(backend, tmp_path_factory):
    """The app on its own committed database with demo data, served on a free port."""
    with demo_served(backend, tmp_path_factory.mktemp("browser"), "browser") as (_app, url):
        yield url


def _sign_in(page, base_url, username, password=DEMO_PASSWORD):
    sign_in(page, base_url, username, password)


def _menu_hrefs(page) -> set[str]:
    hrefs = page.eval_on_selector_all("#admin-navbar-collapse a[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    return {h for h in hrefs if h in ALL_VIEWS}


def test_login_page_is_in_bahasa_indonesia(page, live_server):
    page.goto(live_server + "/")
    assert page.url.endswith("/auth/login?next=/%3F") or "/auth/login" in page.url
    assert page.inner_text("h1") == "Masuk"
    assert page.inner_text("label[for=password]") == "Kata sandi"
    _sign_in(page, live_server, "petugas1", "salah-sekali-123")
    assert "Nama pengguna atau kata sandi salah." in page.inner_text("body")


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_demo_role_sees_only_its_menus(page, live_server, username):
    _sign_in(page, live_server, username)
    assert page.locator("[data-testid=current-user]").is_visible()
    assert _menu_hrefs(page) == MENUS[username]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)
    forbidden = sorted(ALL_VIEWS - MENUS[username])
    if forbidden:
        response = page.goto(live_server + forbidden[0])
        assert response.status == 403
        assert "Tidak diizinkan" in page.inner_text("h1")


def test_switching_to_english_and_signing_out(page, live_server):
    _sign_in(page, live_server, "kadis")
    click_and_load(page, "[data-testid=switch-language]")
    assert "Sign out" in page.inner_text("nav")
    click_and_load(page, "text=Sign out")
    assert page.inner_text("h1") == "Sign in"


def _sign_out(page):
    click_and_load(page, "nav button:has-text('Keluar')")


def test_intake_submit_and_verify_with_two_caseworkers(page, live_server, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each step
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes())
    _sign_in(page, live_server, "petugas1")
    page.goto(live_server + "/cases/new")
    for field, value in {"nik": "3275064107920003", "kk_number": "3275060101000333",
                         "full_name": "Dewi Lestari", "birth_place": "Bekasi",
                         "birth_date": "1992-07-01", "address": "Jl. Pejuang No. 9",
                         "rt": "002", "rw": "005", "occupation": "penjahit",
                         "monthly_income": "2100000"}.items():
        page.fill(f"#{field}", value)
    page.select_option("#sex", "P")
    page.select_option("#kelurahan_code", "3275061003")
    page.select_option("#category", "wiraswasta")
    click_and_load(page, "[data-testid=save-intake]")
    assert "Draf" in page.inner_text("[data-testid=case-state]")
    case_url = page.url
    for code in ("ktp", "kk", "pernyataan_penghasilan"):  # chosen together, sent at once
        page.set_input_files(f"[data-testid=document-file-{code}]", str(scan))
    click_and_load(page, "[data-testid=upload-document]")
    assert "3 dokumen" in page.inner_text(".alert-success")
    assert page.locator("[data-testid=documents] a:has-text('Unduh')").count() == 3

    dtsen = tmp_path / "dtsen.csv"
    dtsen.write_text("nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kode_kelurahan,desil\n"
                     "3275064107920003,3275060101000333,DEWI LESTARI,1992-07-01,P,3275061003,2\n")
    page.goto(live_server + "/imports/")
    page.set_input_files("[data-testid=file-dtsen]", str(dtsen))
    page.check("[data-testid=scope-partial]")  # one person: added, everyone else stays
    with page.expect_navigation(url="**/imports/?run=*"):
        page.click("[data-testid=import-dtsen]")
    assert "1 baris" in page.inner_text(".alert")

    page.goto(case_url)
    click_and_load(page, "[data-testid=submit]")
    assert "Diajukan" in page.inner_text("[data-testid=case-state]")
    assert "Memenuhi syarat" in page.inner_text("[data-testid=eligible]")
    assert page.locator("[data-testid=verify]").count() == 0  # the taker-in hears why not
    assert "petugas lain" in page.inner_text("[data-testid=held-verify]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-refused-own-intake.png"), full_page=True)

    _sign_out(page)
    _sign_in(page, live_server, "petugas2")
    page.goto(live_server + "/cases/")
    click_and_load(page, f"a[href='{case_url.replace(live_server, '')}']")
    click_and_load(page, "[data-testid=verify]")
    assert "Terverifikasi" in page.inner_text("[data-testid=case-state]")
    page.screenshot(path=str(ARTIFACTS / "case-verified.png"), full_page=True)


def test_head_approves_a_batch_and_sees_the_budget_move(page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, live_server, "kadis")
    page.goto(live_server + "/budget/")
    before = page.inner_text("[data-testid=budget-figures]")
    page.goto(live_server + "/approval/")
    today = clock.today()
    # From 1 December the ranking opens on next year: the demo's verified cases of this
    # year can no longer be covered in it and are carried over first.
    assert page.locator("[data-testid=carry-over]").count() == (today.month == 12)
    if today.month == 12:
        click_and_load(page, "[data-testid=carry-over-button]")
        assert f"{today.year + 1}" in page.inner_text(".alert-success")
    assert page.locator("[data-testid=ranking] tbody tr input[type=checkbox]").count() >= 1
    page.check("[data-testid=ranking] tbody tr input[type=checkbox] >> nth=0")
    click_and_load(page, "[data-testid=propose-batch]")
    assert "USULAN-" in page.inner_text("h1")  # the proposal, to print for the mayor
    assert page.locator("[data-testid=print-decree]").count() == 1
    number = f"500.15.1/Kep.777-Disnaker/{today:%m}/{decision_year(today)}"
    page.fill("#sk_number", number)
    click_and_load(page, "[data-testid=sign-decree]")
    assert f"SK {number}" in page.inner_text("h1")
    assert "utuh" in page.inner_text("[data-testid=snapshot-check]")
    page.goto(live_server + "/budget/")
    after = page.inner_text("[data-testid=budget-figures]")
    assert after != before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "budget-after-approval.png"), full_page=True)


def test_auditor_filters_events_and_opens_an_entity_history(page, live_server):
    _sign_in(page, live_server, "auditor")
    click_and_load(page, "#admin-navbar-collapse a[href='/audit/']")
    page.select_option("#action", "application.submit")  # chosen by its label's code
    page.select_option("#entity_type", "application")
    click_and_load(page, "[data-testid=apply-filter]")
    rows = "[data-testid=events] tbody tr[data-seq]"
    actions = page.eval_on_selector_all(f"{rows} [data-testid=action] [title]",
                                        "labels => labels.map(c => c.title)")
    seqs = page.eval_on_selector_all(rows, "rows => rows.map(r => Number(r.dataset.seq))")
    assert actions and all(action.startswith("application.submit") for action in actions)
    assert seqs == sorted(seqs, reverse=True)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-events-filtered.png"), full_page=True)
    click_and_load(page, f"{rows} [data-testid=entity-link] >> nth=0")
    assert "/audit/entity/application/" in page.url
    history = page.eval_on_selector_all("[data-testid=history] tbody tr[data-seq]",
                                        "rows => rows.map(r => Number(r.dataset.seq))")
    assert history and history == sorted(history)
    assert page.locator("[data-testid=history] [data-testid=diff]").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "audit-entity-history.png"), full_page=True)


def test_caseworker_corrects_a_worker_on_the_case_page(page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before saving
    _sign_in(page, live_server, "petugas2")
    page.goto(live_server + "/cases/")
    click_and_load(page, "table a.btn-outline-primary >> nth=0")
    card = "[data-testid=worker-correction]"
    click_and_load(page, "[data-testid=open-correction]")
    assert page.locator(f"{card} #nik").count() == 0  # a wrong NIK is a new registration
    page.fill(f"{card} #address", "Jl. Koreksi No. 12")
    page.fill(f"{card} #reason", "Permintaan koreksi no. 12")
    click_and_load(page, "[data-testid=save-correction]")
    assert "Jl. Koreksi No. 12" in page.inner_text("[data-testid=worker]")
    assert page.locator('[data-testid=timeline] [title="worker.correct"]').count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-worker-corrected.png"), full_page=True)


def test_confirmations_run_under_the_strict_csp_and_nothing_is_blocked(page, live_server):
    """No inline script: the pages' questions come from static/js/confirm.js, and
    Chromium reports no Content-Security-Policy violation on the pages walked."""
    violations, questions = [], []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    _sign_in(page, live_server, "petugas1")
    for path in ("/", "/cases/", "/imports/", "/bpjs/", "/contributions-payments/"):
        page.goto(live_server + path)
    batches = page.locator("[data-testid=batches] tbody tr").count()
    page.click("[data-testid=generate]")
    page.wait_for_timeout(300)
    assert len(questions) == 1 and "?" in questions[0]
    assert page.url.endswith("/contributions-payments/")  # "Cancel": nothing was sent
    assert page.locator("[data-testid=batches] tbody tr").count() == batches
    assert violations == []


# Codes, English and raw values the issue found in the lists (issue 14 item 5).
RAW = re.compile(r"walk_in|pekerja_lepas|wiraswasta|rentan_lainnya|\btrue\b|\bfalse\b|"
                 r"\+00:00|\d{2}:\d{2}:\d{2}\.\d|\bopen\b|\bcaseworker\b|application\.|"
                 r"Walk-in|Freelance|\b\d{7,}\b(?<!\d{16})")


@pytest.mark.parametrize("username,paths", [
    ("auditor", ("/applications/", "/workers/", "/budget_years/", "/audit/")),
    ("admin", ("/users/", "/budget_years/", "/policy/"))])
def test_lists_show_words_not_codes(page, live_server, username, paths):
    _sign_in(page, live_server, username)
    for path in paths:
        page.goto(live_server + path)
        table = page.inner_text("table")
        assert not RAW.search(table), (path, RAW.search(table).group(0))
        assert path != "/budget_years/" or re.search(r"Rp\d{1,3}(\.\d{3})+", table)
        if path == "/applications/":  # the code stays in the tooltip
            assert page.locator('td [title="walk_in"], td [title="kelurahan"], '
                                'td [title="partner"]').count() > 0
