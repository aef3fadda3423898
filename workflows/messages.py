"""Translated messages that stay text when they reach HTML.

Flask-Babel's ``LazyString`` declares itself safe HTML (``__html__`` returns the
string as it is), so Jinja and ``flash`` would render a refusal that quotes stored
data (``... %(name)s``) as markup: stored XSS through a worker's name. A ``Message``
is escaped whole instead; no message of ours is meant to carry markup.
"""
from babel import support
from flask import g, has_app_context
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def catalog() -> support.NullTranslations:
    """The catalog of the request's language, found once per request and language: a
    page asks for it for every label and template text, some hundreds of times, and
    Flask-Babel's own lookup costs about 9 µs each (issue 16). Keyed on the locale
    object Flask-Babel holds, so ``force_locale`` is still obeyed; outside an app, no
    translation, as with Flask-Babel."""
    if not has_app_context():
        return support.NullTranslations()
    found = g.get("_caseapp_catalog")
    if found is None or found[0] is None or found[0] is not _babel_locale():
        translations = get_translations()  # sets the locale Flask-Babel holds
        found = g._caseapp_catalog = (_babel_locale(), translations)
    return found[1]


def _babel_locale():
    """The locale object Flask-Babel holds for this request (None before it chose one)."""
    return getattr(g.get("_flask_babel"), "babel_locale", None)


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` through the request's ``catalog``."""
    text = catalog().ugettext(string)
    return text % variables if variables else text


class Message(LazyString):
    """A lazily translated message; HTML sees it escaped, values and template alike."""

    def __html__(self) -> Markup:
        return escape(str(self))

    @property
    def template(self) -> str:
        """The English msgid, to store and translate again for another reader."""
        return self._args[0]

    @property
    def variables(self) -> dict:
        return dict(self._kwargs)


def lazy_gettext(string: str, **variables) -> Message:
    return Message(gettext, string, **variables)
