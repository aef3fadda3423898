"""What every response tells the browser, and what the app trusts from a reverse proxy.

- A strict Content-Security-Policy: scripts only from this app (Flask-Admin's few
  inline scripts carry a per-response nonce), no plugins, no framing, forms post
  only here. Inline ``style`` attributes stay allowed: they cannot run code.
- ``Cache-Control: no-store`` on everything but the static files, so a shared
  computer's browser keeps no page or download with personal data.
- HSTS when cookies are secure (the site is served over HTTPS only).
- ProxyFix only when CASEAPP_PROXY_HOPS says how many proxies stand in front;
  otherwise X-Forwarded-* headers are someone's claim, not the truth.
"""
import secrets

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix

_STATIC = {"static", "admin.static"}
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce for inline scripts (Flask-Admin's csp_nonce_generator)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _policy() -> str:
    scripts = f"'self' 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "'self'"
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def init_app(app) -> None:
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = _policy()
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint not in _STATIC:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
            headers.pop("ETag", None)
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = HSTS
        return response
