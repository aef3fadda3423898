"""Bahasa Indonesia by default, English on request; catalogs for our strings,
Flask-Admin's and WTForms' validators (neither ships Indonesian)."""
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_babel import Domain, get_locale
from markupsafe import Markup

from caseapp import date_filters
from caseapp.extensions import babel
from caseapp.redirects import local_target
from models import Role, clock
from reports.formatting import masked_nik, rupiah
from workflows.messages import catalog, lazy_gettext as _l

TRANSLATIONS_DIR = str(Path(__file__).resolve().parent / "translations")
wtforms_domain = Domain(TRANSLATIONS_DIR, domain="wtforms")

bp = Blueprint("i18n", __name__)

ROLE_LABELS = {Role.CASEWORKER.value: _l("Caseworker"), Role.HEAD.value: _l("Head"),
               Role.AUDITOR.value: _l("Auditor"), Role.ADMIN.value: _l("Admin"),
               Role.PARTNER.value: _l("Partner (kelurahan or office)")}


def select_locale() -> str:
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class WTFormsTranslations:
    """WTForms' validator messages from our catalog, in the request's language."""

    def gettext(self, string: str) -> str:
        return wtforms_domain.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_domain.get_translations().ungettext(singular, plural, n)


def _install_template_gettext(app) -> None:
    """Flask-Babel's Jinja callables, reading the request's catalog once (``catalog``)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True)


@bp.post("/bahasa")
def switch_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(local_target(request.form.get("next")))


def compile_catalogs(directory: str = TRANSLATIONS_DIR) -> None:
    """Compile each catalog whose .mo is missing or older than its .po.

    Git holds only the .po sources: a fresh clone installed with nothing but
    ``pip install -r requirements.txt`` must still speak Bahasa Indonesia. The file
    is written aside and renamed, so several processes starting at once are safe.
    """
    for po in Path(directory).glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


def init_app(app) -> None:
    compile_catalogs()
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=TRANSLATIONS_DIR)
    _install_template_gettext(app)
    date_filters.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["current_locale"] = get_locale
    app.jinja_env.globals["role_labels"] = ROLE_LABELS
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["wib"] = wib
    app.jinja_env.filters["masked_nik"] = masked_nik


def translated(labels: dict) -> dict:
    """The labels in the request's language, each translated once: a list page shows
    the same few on each of its fifty rows (issue 16)."""
    return {key: str(label) for key, label in labels.items()}


def coded(label, code) -> Markup:
    """A code's label with the code in the tooltip."""
    return Markup('<span title="{}">{}</span>').format(code, label)


def wib(moment) -> str:
    """A stored UTC moment as the wall clock in Kota Bekasi reads it."""
    return moment.astimezone(clock.JAKARTA).strftime("%d-%m-%Y %H:%M WIB") if moment else ""
