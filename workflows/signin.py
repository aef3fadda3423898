"""Signing in: the password step, the events it leaves, and the start of a session.

The password check (argon2, slow) reads only and runs before any write lock is taken
(``check_password``, inside ``caseapp.database.reading()``); ``record_password_step``
then reads the account again and writes, so a password changed or an account closed in
between counts as a failure.

Guessing is slowed per account (workflows.throttle) as well as per IP (the web layer's
rate limit), so spreading guesses over many addresses gains nothing. While an account
waits, a try that also carries a valid authenticator code goes through: the person who
has their phone is never locked out by someone hammering their username.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User, clock
from workflows import mfa, sessions
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.audit.masking import mask
from workflows.passwords import hash_password, needs_rehash, password_matches
from workflows.throttle import wait_seconds

_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


@dataclass(frozen=True)
class PasswordCheck:
    """What ``check_password`` found: the account (or None) and whether the password
    matched the hash it read."""
    username: str
    user_id: int | None
    password_hash: str | None
    ok: bool


@dataclass(frozen=True)
class PasswordStep:
    user: User | None  # set when the password (and a code given with it) was right
    wait: int = 0  # seconds the account must wait before the next password-only try
    second_factor: str | None = None  # "totp"/"recovery" when a code came with it


def check_password(session: Session, username: str, password: str) -> PasswordCheck:
    """The slow, read-only half of a sign-in: run it before taking a write lock."""
    username = username.strip().lower()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    # Verify against a dummy hash for unknown users so timing does not reveal accounts.
    ok = password_matches(user.password_hash if user else _DUMMY_HASH, password)
    return PasswordCheck(username, user.id if user else None,
                         user.password_hash if user else None, ok)


def _anonymous(user: User | None, username: str, ip, request_id) -> tuple[Actor, dict]:
    """Who tried: a known account by name; an unknown username only as a keyed hash
    (people type their password into the username box)."""
    if user is not None:
        return Actor(None, f"anonymous:{user.username}", (), ip, request_id), {}
    return (Actor(None, "anonymous", (), ip, request_id),
            {"username": [None, mask(username)]})


def record_password_step(session: Session, check: PasswordCheck, password: str, *,
                         code: str = "", ip: str | None,
                         request_id: str | None) -> PasswordStep:
    """Judge a checked password (and ``code`` when given); record a failure or a wait."""
    user = session.get(User, check.user_id, populate_existing=True) if check.user_id else None
    actor, diff = _anonymous(user, check.username, ip, request_id)
    wait = wait_seconds(user.failed_logins, user.last_failed_login_at) if user else 0
    if wait and not (code and user.totp_secret):
        record(session, actor, "auth.login_throttled", entity=user, reason=f"wait {wait}s")
        return PasswordStep(None, wait=wait)
    ok = check.ok and user is not None and user.password_hash == check.password_hash
    if user is None or not ok or not user.active:
        if user is not None and not ok:
            user.failed_logins += 1
            user.last_failed_login_at = clock.now()
        reason = ("unknown username" if user is None
                  else "inactive" if ok else "bad credentials")
        record(session, actor, "auth.login_failed", entity=user, diff=diff, reason=reason)
        return PasswordStep(None, wait=wait)
    second = mfa.verify(session, user, code, actor=actor) if code else None
    if code and second is None:
        return PasswordStep(None, wait=wait)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        record_change(session, Actor.for_user(user, ip=ip, request_id=request_id),
                      "user.password_rehash", user)
    return PasswordStep(user, second_factor=second)


def complete(session: Session, user: User, *, second_factor: str, ip: str | None,
             request_id: str | None, user_agent: str | None) -> str:
    """Both steps passed: clear the account's failure counts and start a session; returns
    its token. A sign-in with a password someone else set is its own event, naming who
    set it, so the first real sign-in of an account stands out in the log."""
    user.failed_logins, user.last_failed_login_at = 0, None
    actor = Actor.for_user(user, ip=ip, request_id=request_id)
    token, _row = sessions.start(session, user, actor=actor, user_agent=user_agent,
                                 second_factor=second_factor)
    if user.must_change_password and user.password_set_at is not None:
        record(session, actor, "user.one_time_password_used", entity=user,
               diff={"password_set_by": [None, str(user.password_set_by or "system")]})
    return token


def record_logout(session: Session, row, *, actor: Actor) -> None:
    sessions.end(session, row, "logout", actor=actor, action="auth.logout")
