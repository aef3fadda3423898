"""Signed tokens naming an application for the public status page.

The token is the application id signed with the app's SECRET_KEY under its own salt
(itsdangerous), so it cannot be guessed or edited into another application's token,
and a token of another purpose signed with the same key (a session, a CSRF token)
is not accepted here. It does not expire: the receipt is kept for the whole
programme year. Changing SECRET_KEY invalidates every printed QR code.
"""
from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer

SALT = "caseapp.application-status"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def status_token(application_id: int) -> str:
    return _serializer().dumps(application_id)


def application_id_of(token: str) -> int | None:
    """The application a token names, or None for anything forged or tampered with."""
    try:
        value = _serializer().loads(token)
    except BadData:
        return None
    return value if type(value) is int else None


def status_url(application_id: int) -> str:
    """The address printed on the receipt: PUBLIC_URL where the office set the address
    the public reaches (the staff may use an internal one), else this request's host."""
    path = url_for("status.show", token=status_token(application_id))
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path
