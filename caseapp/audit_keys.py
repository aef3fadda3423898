"""Which public key the audit checkpoints must carry, from this app's configuration."""
from pathlib import Path

from flask import current_app

from workflows.audit.checkpoints import trusted_public_key


def signing_key_path() -> Path:
    return Path(current_app.config["AUDIT_SIGNING_KEY"])


def trusted_key() -> str | None:
    """The pinned CASEAPP_AUDIT_PUBLIC_KEY, else the signing key's public half when the
    key is on this host, else None."""
    return trusted_public_key(signing_key_path(), current_app.config.get("AUDIT_PUBLIC_KEY"))
