"""Links to static files, built once per (script root, file) instead of on every page.

A page's layout links thirteen of Flask-Admin's files and three of ours, and each
``url_for`` costs some 15 µs (issue 16). The files and their version arguments are
written in the templates, so the links kept are as few as those lines; ``LIMIT`` guards
the count all the same (the script root comes from the request).
"""
from flask import request, url_for

LIMIT = 1024


class StaticUrls:
    """One app's static links (the app's Jinja environment holds it, as the menu cache)."""

    def __init__(self):
        self._urls: dict[tuple, str] = {}

    def __call__(self, endpoint: str, **arguments) -> str:
        """``url_for(endpoint, **arguments)``, built once."""
        key = (request.script_root, endpoint, tuple(sorted(arguments.items())))
        url = self._urls.get(key)
        if url is None:
            url = url_for(endpoint, **arguments)
            if len(self._urls) >= LIMIT:
                self._urls.clear()
            self._urls[key] = url
        return url


def init_app(app) -> None:
    app.jinja_env.globals["static_url"] = StaticUrls()
