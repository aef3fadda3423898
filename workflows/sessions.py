"""Server-side sign-in sessions (ASVS 5.0 V7): a table every app server reads, so a
session ends everywhere at once on logout, password change, deactivation or the
admin's word, and lives no longer than its idle and absolute lifetimes."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from models import User, UserSession, clock
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import NotAllowed
from workflows.messages import lazy_gettext as _l

TOUCH_EVERY = timedelta(minutes=1)  # last-seen writes at most once a minute per session


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(session: Session, user: User, *, actor: Actor, user_agent: str | None,
          second_factor: str) -> tuple[str, UserSession]:
    """A new session for ``user``; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                      last_seen_at=now, ip=actor.ip, user_agent=(user_agent or "")[:200])
    session.add(row)
    session.flush()
    record(session, actor, "auth.login", entity=user,
           diff={"session": [None, row.id], "second_factor": [None, second_factor]})
    return token, row


def _expired(row: UserSession, lifetimes: Lifetimes) -> str | None:
    now = clock.now()
    if now - row.created_at >= lifetimes.absolute:
        return "absolute"
    if now - row.last_seen_at >= lifetimes.idle:
        return "idle"
    return None


@lru_cache(maxsize=None)
def _live_statement():
    """Session, account and roles in one statement, built once: every request of a
    signed-in person starts here, and building it cost more than running it (issue 16)."""
    return (select(UserSession).where(UserSession.token_hash == bindparam("token_hash"))
            .options(joinedload(UserSession.user).joinedload(User.roles)))


def live(session: Session, token: str | None, *, user_id: int,
         lifetimes: Lifetimes) -> UserSession | None:
    """The session ``token`` names if it still counts for ``user_id``; ends it when it
    outlived a lifetime or its user was deactivated."""
    if not token:
        return None
    row = session.execute(_live_statement(), {"token_hash": token_hash(token)}
                          ).unique().scalar_one_or_none()
    if row is None or row.ended_at is not None or row.user_id != user_id:
        return None
    reason = _expired(row, lifetimes) or (None if row.user.active else "deactivated")
    if reason:
        end(session, row, reason, actor=Actor.system("session-expiry"))
        return None
    return row


def touch(row: UserSession) -> bool:
    """The person is at work (not a page's script polling): the idle clock starts again.
    Written at most once a minute; says whether it wrote, so a page read knows whether it
    has something to commit."""
    if clock.now() - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = clock.now()
    return True


def end(session: Session, row: UserSession, reason: str, *, actor: Actor,
        action: str = "auth.session_end") -> None:
    row.ended_at, row.end_reason = clock.now(), reason
    record(session, actor, action, entity_type="user_session", entity_id=str(row.id),
           diff={"user_id": [None, row.user_id]}, reason=reason)


def open_sessions(session: Session, user: User, lifetimes: Lifetimes) -> list[UserSession]:
    """The user's sessions that have not ended nor outlived a lifetime, newest first."""
    rows = session.execute(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.created_at.desc())).scalars()
    return [row for row in rows if not _expired(row, lifetimes)]


def end_user_sessions(session: Session, user: User, reason: str, *, actor: Actor,
                      keep: UserSession | None = None) -> int:
    """End every session of ``user`` but ``keep``; returns how many ended."""
    rows = session.execute(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))).scalars().all()
    ended = [row for row in rows if keep is None or row.id != keep.id]
    for row in ended:
        end(session, row, reason, actor=actor)
    return len(ended)


def end_own_session(session: Session, user: User, session_id: int, *, actor: Actor) -> None:
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotAllowed(_l("That is not one of your sessions."))
    if row.ended_at is None:
        end(session, row, "ended_by_user", actor=actor)
