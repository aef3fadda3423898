"""The steps between a right password and a signed-in browser: the wait for the second
factor (kept in the signed cookie for a few minutes, no session yet), and the start of
the server-side session whose token is all the cookie then carries."""
from datetime import timedelta

from flask import current_app, g, redirect, request, session, url_for
from flask_login import login_user, logout_user

from caseapp.extensions import db
from caseapp.redirects import local_target
from models import User, clock
from workflows import signin
from workflows.sessions import Lifetimes

PENDING_FOR = timedelta(minutes=5)
_PENDING = ("mfa_user", "mfa_since", "mfa_next", "mfa_secret")


def lifetimes() -> Lifetimes:
    return Lifetimes(idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
                     absolute=timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]))


def fresh_cookie() -> None:
    """Drop everything but the language (no session fixation, nothing left behind)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def await_second_factor(user: User, next_url: str | None):
    """The password was right; the account still owes its second factor (or must set
    one up first)."""
    fresh_cookie()
    session.update(mfa_user=user.id, mfa_since=clock.now().timestamp(), mfa_next=next_url)
    return redirect(url_for("mfa.verify" if user.totp_secret else "mfa.enrol"))


def pending_user() -> User | None:
    """The account whose password was right in the last few minutes, if any."""
    since = session.get("mfa_since")
    if not since or clock.now().timestamp() - since > PENDING_FOR.total_seconds():
        return None
    user = db.session.get(User, session.get("mfa_user") or 0)
    return user if user is not None and user.active else None


def finish(user: User, second_factor: str, next_url: str | None = None):
    """Start the session, set its token in a fresh cookie, and go where the person was
    going (to the password page first when their password was set by someone else)."""
    next_url = next_url if next_url is not None else session.get("mfa_next")
    token = signin.complete(db.session, user, second_factor=second_factor,
                            ip=request.remote_addr, request_id=g.get("request_id"),
                            user_agent=request.user_agent.string)
    db.session.commit()
    fresh_cookie()
    session["sid"] = token
    login_user(user)
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(local_target(next_url))


def sign_out_cookie() -> None:
    logout_user()
    fresh_cookie()
