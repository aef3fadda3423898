"""Where a page may send the browser after sign-in or a language switch.

A ``next`` value comes from the URL or a form, so it is the attacker's: only a path
that this application routes is followed. Browsers drop tabs and newlines and read
``\\`` as ``/``, so ``/%09/evil.example`` would leave the site; such values, and
anything with a scheme or host, fall back to the home page.
"""
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def _routed(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True  # a routed path that only lacks its trailing slash
    except HTTPException:
        return False
    return True


def local_target(target: str | None) -> str:
    """``target`` when it is a path of this app (query kept), else the home page."""
    home = url_for("admin.index")
    if not target or len(target) > 2000:
        return home
    if any(ord(c) < 33 or c in "\\\x7f" for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//") or not _routed(parts.path):
        return home
    return parts.path + (f"?{parts.query}" if parts.query else "")
