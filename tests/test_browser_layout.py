"""Pages on the screens they are used on, in Debian's Chromium: the top menu of every
demo role on one row of a 1366x768 office laptop, and intake with a photo of the KTP
from a 360x740 phone of a kelurahan officer (issue 14 items 7 and 9)."""
import re

import pytest

from caseapp.demo import DEMO_PASSWORD, DEMO_USERS
from tests.browser_helpers import ARTIFACTS, click_and_load, demo_served, sign_in
from tests.test_upload_content import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.calendar]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
MIN_TAP = 44  # px: the size Apple and WCAG 2.5.5 ask of a target a thumb must hit

# Every box on the top bar, to see whether they all sit on one row.
_BAR_ITEMS = """() => Array.from(document.querySelectorAll(
    'nav.navbar .navbar-brand, nav.navbar .navbar-nav > li')).filter(e => e.offsetParent)
    .map(e => { const r = e.getBoundingClientRect();
                return {top: r.top, bottom: r.bottom, right: r.right}; })"""


@pytest.fixture(scope="module")
def demo_server(backend, tmp_path_factory):
    """The app with the demo accounts (and a few demo cases) served on a free port."""
    with demo_served(backend, tmp_path_factory.mktemp("layout"), "layout",
                     workers=4) as (_app, url):
        yield url


def _screen(browser, viewport, **options):
    context = browser.new_context(locale="id-ID", viewport=viewport, **options)
    return context, context.new_page()


@pytest.fixture
def laptop(browser):
    context, page = _screen(browser, LAPTOP)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _screen(browser, PHONE, is_mobile=True, has_touch=True,
                            device_scale_factor=2)
    yield page
    context.close()


def _scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _assert_one_row(page) -> None:
    items = page.evaluate(_BAR_ITEMS)
    tallest = max(item["bottom"] - item["top"] for item in items)
    span = max(item["bottom"] for item in items) - min(item["top"] for item in items)
    assert span <= tallest + 1, f"the menu wraps onto {span / tallest:.1f} rows"
    assert max(item["right"] for item in items) <= LAPTOP["width"]
    assert _scroll_width(page) <= LAPTOP["width"]


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_the_menu_stays_on_one_row_at_1366_for_every_role(laptop, demo_server, username):
    sign_in(laptop, demo_server, username, DEMO_PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    laptop.screenshot(path=str(ARTIFACTS / f"menu-1366-{username}.png"))
    _assert_one_row(laptop)
    # Grouped entries stay reachable: each dropdown opens inside the screen.
    toggles = laptop.locator("#admin-navbar-collapse .dropdown-toggle")
    for index in range(toggles.count()):
        toggles.nth(index).click()
        entries = laptop.locator("#admin-navbar-collapse .dropdown-menu.show a")
        assert entries.count() >= 1
        for entry in range(entries.count()):
            box = entries.nth(entry).bounding_box()
            assert entries.nth(entry).is_visible() and box["x"] + box["width"] <= LAPTOP["width"]
        toggles.nth(index).click()


def test_the_menu_stays_on_one_row_in_english_too(laptop, demo_server):
    """English labels are no longer (the language button reads its code, ID or EN)."""
    sign_in(laptop, demo_server, "auditor", DEMO_PASSWORD)
    click_and_load(laptop, "[data-testid=switch-language]")
    assert "Sign out" in laptop.inner_text("nav")
    _assert_one_row(laptop)


def test_a_refused_page_keeps_the_menu(laptop, demo_server):
    sign_in(laptop, demo_server, "petugas1", DEMO_PASSWORD)
    response = laptop.goto(demo_server + "/users/")
    assert response.status == 403
    assert laptop.locator("[data-testid=error-message]").is_visible()
    assert laptop.locator("#admin-navbar-collapse a[href='/cases/new']").count() == 1
    _assert_one_row(laptop)


def _fits_the_phone(page) -> None:
    assert _scroll_width(page) <= PHONE["width"], "the page scrolls sideways"


def _heights(page, selector: str) -> dict[str, float]:
    return page.eval_on_selector_all(selector, """elements => Object.fromEntries(elements
        .filter(e => e.offsetParent).map(e => [e.id || e.dataset.testid || e.name || e.type,
                                                 e.getBoundingClientRect().height]))""")


def test_intake_on_a_phone_and_a_photo_of_the_ktp(phone, demo_server, tmp_path):
    sign_in(phone, demo_server, "petugas1", DEMO_PASSWORD)
    phone.goto(demo_server + "/cases/new")
    _fits_the_phone(phone)
    # The menu folds behind its toggler and opens on a tap.
    menu = phone.locator("#admin-navbar-collapse")
    assert not menu.is_visible()
    phone.click(".navbar-toggler")
    menu.wait_for(state="visible")
    assert phone.locator("nav button:has-text('Keluar')").is_visible()
    phone.reload()
    # One column: each field starts below the one before, as wide as the form.
    boxes = phone.eval_on_selector_all("form.card .form-group", """groups => groups.map(g => {
        const r = g.getBoundingClientRect(); return {left: r.left, top: r.top,
                                                    bottom: r.bottom, width: r.width}; })""")
    assert len(boxes) >= 14
    for above, below in zip(boxes, boxes[1:]):
        assert below["top"] >= above["bottom"] and below["left"] == boxes[0]["left"]
        assert below["width"] == boxes[0]["width"]
    small = {name: height for name, height in _heights(
        phone, "form.card input:not([type=hidden]), form.card select, form.card button, "
               ".navbar-toggler").items() if height < MIN_TAP}
    assert small == {}, f"too small to tap: {small}"
    # The phone keyboard fits the field: digits for numbers, the dial pad for the phone.
    assert phone.get_attribute("#phone", "type") == "tel"
    assert {phone.get_attribute(f"#{name}", "inputmode")
            for name in ("nik", "kk_number", "rt", "rw", "monthly_income")} == {"numeric"}
    for field, value in {"nik": "3275064107910004", "kk_number": "3275060101000444",
                         "full_name": "Euis Rohaeti", "birth_place": "Bekasi",
                         "birth_date": "1991-07-01", "address": "Jl. Kenari No. 4",
                         "rt": "003", "rw": "007", "phone": "081311112222",
                         "occupation": "buruh cuci", "monthly_income": "1500000"}.items():
        phone.fill(f"#{field}", value)
    phone.select_option("#sex", "P")
    phone.select_option("#kelurahan_code", "3275061003")
    phone.select_option("#category", "rentan_lainnya")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "intake-phone.png"), full_page=True)
    with phone.expect_navigation(url=re.compile(r"/cases/\d+$")):
        phone.tap("[data-testid=save-intake]")
    assert "Draf" in phone.inner_text("[data-testid=case-state]")
    _fits_the_phone(phone)

    # The document upload offers the camera: images accepted, no `capture` to hide
    # the gallery and the files.
    chooser = phone.locator("[data-testid=document-file-ktp]")
    assert "image/jpeg" in chooser.get_attribute("accept")
    assert chooser.get_attribute("capture") is None
    # A photo over the limit is stopped in the browser at once, instead of after
    # minutes on mobile data.
    big = tmp_path / "IMG_50MP.jpg"
    big.write_bytes(b"\xff\xd8\xff" + bytes(6 * 1024 * 1024))
    sent = []
    phone.on("request", lambda request: sent.append(request.url)
             if request.method == "POST" else None)
    phone.set_input_files("[data-testid=document-file-ktp]", str(big))
    assert phone.eval_on_selector("[data-testid=document-file-ktp]",
                                  "input => input.validity.customError")
    phone.tap("[data-testid=upload-document]")
    phone.wait_for_timeout(300)
    assert sent == []
    photo = tmp_path / "IMG_20260710_101500.jpg"
    photo.write_bytes(jpeg_bytes((1600, 1200)))
    phone.set_input_files("[data-testid=document-file-ktp]", str(photo))
    with phone.expect_navigation():
        phone.tap("[data-testid=upload-document]")
    documents = phone.inner_text("[data-testid=documents]")
    assert "image/jpeg" in documents and "Unduh" in documents
    _fits_the_phone(phone)
    phone.screenshot(path=str(ARTIFACTS / "case-phone-photo.png"), full_page=True)
