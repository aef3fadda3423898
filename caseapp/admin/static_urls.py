"""Links to static files, built once per (script root, file) instead of on every page.

A page's layout links thirteen of Flask-Admin's files and three of ours, and each
``url_for`` costs some 15 µs (issue 16). The files and their version arguments are
written in the templates, so the links kept are as few as those lines; ``LIMIT`` guards
the count all the same (the script root comes from the request).
"""
from flask import request, url_for

from caseapp.admin.kept import Kept

LIMIT = 1024


class StaticUrls:
    """One app's static links."""

    def __init__(self):
        self._urls = Kept(LIMIT)

    def __call__(self, endpoint: str, **arguments) -> str:
        """``url_for(endpoint, **arguments)``, built once."""
        key = (request.script_root, endpoint, tuple(sorted(arguments.items())))
        return self._urls.get(key, lambda: url_for(endpoint, **arguments))


def init_app(app) -> None:
    app.jinja_env.globals["static_url"] = StaticUrls()
