"""The second factor: TOTP (RFC 6238) from an authenticator app, and single-use recovery
codes for a lost phone. Required for the head, the auditor and the admin, whose accounts
approve money, read everything or manage accounts; optional for caseworkers."""
import hashlib
import hmac
import secrets

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RecoveryCode, Role, User, clock
from workflows import sessions
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.errors import InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.throttle import wait_seconds

ISSUER = "SIGAP Disnaker Kota Bekasi"
RECOVERY_CODES = 10
STEP = 30  # seconds, RFC 6238's default and what every authenticator app uses


def required(user: User) -> bool:
    return user.has_role(Role.HEAD, Role.AUDITOR, Role.ADMIN)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one either side for clock drift) whose code this is."""
    totp, now = pyotp.TOTP(secret), int(clock.now().timestamp()) // STEP
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _unused(user: User, step: int) -> bool:
    """A code is accepted once (RFC 6238 5.2): only steps after the last accepted one. A
    last step ahead of the clock means the clock was set back (an NTP correction, a test
    pinning a day), and then it says nothing about replays."""
    last = user.totp_last_step
    return last is None or step > last or last > int(clock.now().timestamp()) // STEP + 1


def enrol(session: Session, user: User, *, secret: str, code: str, actor: Actor) -> list[str]:
    """Turn the second factor on once the app shows a matching code; returns new recovery
    codes (shown once, stored hashed)."""
    step = _matching_step(secret, code.strip())
    if step is None:
        raise InvalidInput(_l("The code does not match. Check that the phone's clock is right "
                              "and type the code the app shows now."))
    user.totp_secret, user.totp_last_step, user.mfa_enrolled_at = secret, step, clock.now()
    record_change(session, actor, "user.mfa_enrol", user)
    _drop_recovery_codes(session, user)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def reset(session: Session, user: User, *, actor: Actor) -> None:
    """A lost phone and lost recovery codes: the admin turns the second factor off, every
    session of the account ends, and its next sign-in sets the factor up again (for the
    roles that need one). Never one's own: a stolen session must not swap the factor."""
    if actor.user_id == user.id:
        raise NotAllowed(_l("Ask another admin to reset your own second factor."))
    user.totp_secret = user.totp_last_step = user.mfa_enrolled_at = None
    record_change(session, actor, "user.mfa_reset", user)
    _drop_recovery_codes(session, user)
    sessions.end_user_sessions(session, user, "mfa_reset", actor=actor)


def _drop_recovery_codes(session: Session, user: User) -> None:
    for old in session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id)).scalars():
        session.delete(old)


def code_wait(user: User) -> int:
    return wait_seconds(user.failed_codes, user.last_failed_code_at)


def verify(session: Session, user: User, code: str, *, actor: Actor) -> str | None:
    """"totp" or "recovery" when ``code`` is a valid second factor of ``user``, else None
    (recorded). An authenticator code is refused while the account waits after failed
    codes; a recovery code is not, so someone who learnt the password cannot lock the
    person out by flooding the code step (a recovery code has 64 random bits)."""
    code = code.strip().lower().replace(" ", "")
    if "-" in code:
        row = session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None))).scalar_one_or_none()
        if row is not None:
            row.used_at = clock.now()
            user.failed_codes = 0
            record(session, actor, "auth.recovery_code_used", entity=user)
            return "recovery"
    elif user.totp_secret and not code_wait(user):
        step = _matching_step(user.totp_secret, code) if code.isdigit() else None
        if step is not None and _unused(user, step):
            user.totp_last_step, user.failed_codes = step, 0
            return "totp"
    elif user.totp_secret:
        record(session, actor, "auth.mfa_throttled", entity=user)
        return None
    user.failed_codes += 1
    user.last_failed_code_at = clock.now()
    record(session, actor, "auth.mfa_failed", entity=user)
    return None
