"""Translated messages that stay text when they reach HTML.

Flask-Babel's ``LazyString`` declares itself safe HTML (``__html__`` returns the
string as it is), so Jinja and ``flash`` would render a refusal that quotes stored
data (``... %(name)s``) as markup: stored XSS through a worker's name. A ``Message``
is escaped whole instead; no message of ours is meant to carry markup.
"""
from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


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
