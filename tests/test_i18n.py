"""Bahasa Indonesia by default, English on request, and complete catalogs."""
import re
from pathlib import Path

import flask_admin
import pytest
import wtforms
from babel.messages.pofile import read_po

from tests.helpers import csrf_token, login

TRANSLATIONS = Path(__file__).resolve().parent.parent / "caseapp" / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _msgids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _upstream(path: Path) -> set[str]:
    return _msgids(_catalog(path))


@pytest.mark.parametrize("locale,domain", [("id", "messages"), ("en", "messages"),
                                           ("id", "admin"), ("id", "wtforms")])
def test_catalog_is_complete_and_keeps_placeholders(locale, domain):
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po")
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        assert all(strings), f"untranslated in {locale}/{domain}: {message.id!r}"
        assert "fuzzy" not in message.flags, message.id
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:  # a plural form may use any of the forms' placeholders
            assert set(PLACEHOLDER.findall(string)) <= expected, message.id
            assert set(PLACEHOLDER.findall(ids[-1])) <= set(PLACEHOLDER.findall(strings[-1]))


def test_our_catalogs_cover_every_string_in_the_code():
    template = _msgids(_catalog(TRANSLATIONS / "messages.pot"))
    for locale in ("id", "en"):
        assert _msgids(_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")) == template


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    from babel.messages.frontend import CommandLineInterface

    fresh = tmp_path / "fresh.pot"
    root = TRANSLATIONS.parent.parent
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k",
                                "_l", "--no-location", "-o", str(fresh),
                                str(root / "caseapp"), str(root / "workflows"),
                                str(root / "reports")])
    assert _msgids(_catalog(fresh)) == _msgids(_catalog(TRANSLATIONS / "messages.pot")), (
        "run `make extract-messages` and translate the new strings")


def test_indonesian_covers_every_flask_admin_and_wtforms_string():
    admin_src = Path(flask_admin.__file__).parent / "translations" / "fr" / "LC_MESSAGES"
    ours = _msgids(_catalog(TRANSLATIONS / "id" / "LC_MESSAGES" / "admin.po"))
    assert _upstream(admin_src / "admin.po") <= ours
    wtforms_pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    assert _upstream(wtforms_pot) <= _msgids(
        _catalog(TRANSLATIONS / "id" / "LC_MESSAGES" / "wtforms.po"))


def test_flask_admin_pages_and_validators_speak_indonesian(client):
    login(client, "admin1")
    listing = client.get("/umk/").get_data(as_text=True)
    assert "Buat" in listing and "Daftar" in listing
    token = csrf_token(client, "/umk/new/")
    form = client.post("/umk/new/", data={"year": "", "amount": "", "csrf_token": token})
    assert "Kolom ini wajib diisi." in form.get_data(as_text=True)


def test_language_switch_to_english_and_back(client):
    login(client, "cw1")
    assert "Keluar" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    response = client.post("/bahasa", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.headers["Location"] == "/"
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "id", "next": "https://evil.example/",
                                 "csrf_token": token})
    assert "Keluar" in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_open_redirect(client):
    token = csrf_token(client, "/auth/login")
    response = client.post("/bahasa", data={"lang": "en", "next": "//evil.example/",
                                            "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_one_request_follows_each_language_it_is_asked_in(app):
    """The request keeps its catalog (workflows/messages.catalog) per language:
    ``force_locale`` inside a request, and back, is obeyed by every way of asking."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext

    from caseapp.i18n import WTFormsTranslations
    from workflows.messages import lazy_gettext

    def indonesian(domain, msgid):
        [found] = [m.string for m in _catalog(TRANSLATIONS / "id/LC_MESSAGES" / f"{domain}.po")
                   if m.id == msgid]
        return found

    word, required = "Caseworker", "This field is required."

    def asked():
        return (gettext(word), str(lazy_gettext(word)),
                render_template_string("{{ _('Caseworker') }}"),
                WTFormsTranslations().gettext(required))

    with app.test_request_context("/"):
        first = asked()
        with force_locale("en"):
            english = asked()
        again = asked()
    ours = (indonesian("messages", word),) * 3 + (indonesian("wtforms", required),)
    assert ours[0] != word and ours[3] != required
    assert (first, english, again) == (ours, (word,) * 3 + (required,), ours)
