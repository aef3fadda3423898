"""Field diffs without personal data in clear (UU PDP data minimisation).

Personal values are replaced by a keyed hash: equal values still compare equal
in the log, but the log does not disclose them.
"""
import hashlib
import hmac
from datetime import date, datetime

_KEY = {"value": b"caseapp-audit-mask"}


def configure(key: str) -> None:
    _KEY["value"] = key.encode("utf-8")


def mask(value) -> str | None:
    if value is None:
        return None
    digest = hmac.new(_KEY["value"], str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"hmac:{digest[:16]}"


def plain(value):
    """A JSON-safe form of a column value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def field_value(model_cls, field: str, value):
    personal = getattr(model_cls, "__personal_fields__", frozenset())
    secret = getattr(model_cls, "__secret_fields__", frozenset())
    if field in secret:
        return "***" if value is not None else None
    if field in personal:
        return mask(plain(value))
    return plain(value)
