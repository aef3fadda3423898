"""The top menu's HTML, kept per (account facts, language, page) instead of rendered anew.

Flask-Admin's menu macro asks each of some thirty views whether the person may open it,
whether it shows and whether it is the page at hand, and builds every link: about a tenth
of a page's CPU on every request (issue 16). What it shows depends on nothing else than
the facts in ``_key``: every view's and link's ``is_accessible`` reads only
``is_authenticated``, ``must_change_password`` and the roles (caseapp/admin/base.py),
``is_visible`` reads at most ``is_authenticated``, names are translated per language and
links are built under the request's script root. The views and their menu are fixed once
the app is built, so an entry never goes stale; the number of keys is bounded by roles x
languages x pages, and ``LIMIT`` guards it all the same.
"""
from flask import request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from caseapp.admin.kept import Kept


LIMIT = 2048


def _key(admin_view) -> tuple:
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    return (signed_in, signed_in and user.must_change_password,
            user.role_names if signed_in else (), str(get_locale()),
            admin_view.endpoint, request.script_root)


class MenuCache:
    """One app's menus."""

    def __init__(self):
        self._html = Kept(LIMIT)

    def __call__(self, admin_view, render) -> Markup:
        """``render()``'s HTML (the template's menu macro) for these facts, rendered once."""
        return self._html.get(_key(admin_view), lambda: Markup(render()))


def init_app(app) -> None:
    app.jinja_env.globals["cached_menu"] = MenuCache()
