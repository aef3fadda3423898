"""Sign-in, sign-out and password change, inside the Flask-Admin shell."""
from math import ceil

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseapp.actor import current_actor
from caseapp.auth import flow
from caseapp.auth.forms import LoginForm, PasswordForm
from caseapp.database import READ_METHODS, reading
from caseapp.extensions import db, limiter, login_manager
from caseapp.health import PROBES
from caseapp.refusals import refuse
from models import User
from workflows import mfa, sessions, signin
from workflows import users as user_verbs
from workflows.errors import WorkflowError


class AuthView(BaseView):
    """Pages anyone may reach; never shown in the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for(".login"))

    @expose("/login", methods=("GET", "POST"))
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    def login(self):
        if current_user.is_authenticated:
            return redirect(url_for("admin.index"))
        form = LoginForm()
        if form.validate_on_submit():
            # The password check (argon2) reads only; the write lock is taken afterwards,
            # just to record the attempt (caseapp/database.py).
            with reading():
                check = signin.check_password(db.session, form.username.data,
                                              form.password.data)
                db.session.commit()
            step = signin.record_password_step(
                db.session, check, form.password.data, code=(form.code.data or "").strip(),
                ip=request.remote_addr, request_id=g.request_id)
            user, next_url = step.user, request.args.get("next")
            if user is not None and (step.second_factor or not (
                    user.totp_secret or mfa.required(user))):
                return flow.finish(user, step.second_factor or "none", next_url)  # commits
            db.session.commit()
            if user is not None:
                return flow.await_second_factor(user, next_url)
            if step.wait:
                flash(_("Too many failed sign-ins for this account: wait %(minutes)d "
                        "minute(s), or sign in with the code from your authenticator app "
                        "as well.", minutes=ceil(step.wait / 60)), "error")
            else:
                flash(_("Wrong username or password."), "error")
        return self.render("auth/login.html", form=form)

    @expose("/logout", methods=("POST",))
    @login_required
    def logout(self):
        signin.record_logout(db.session, g.user_session, actor=current_actor())
        db.session.commit()
        flow.sign_out_cookie()
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"))

    @expose("/password", methods=("GET", "POST"))
    @login_required
    def password(self):
        form = PasswordForm()
        if form.validate_on_submit():
            try:
                user_verbs.change_password(db.session, current_user._get_current_object(),
                                           current=form.current.data, new=form.new.data,
                                           actor=current_actor(), keep=g.user_session)
                db.session.commit()
            except WorkflowError as exc:
                refuse(exc)
            else:
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("admin.index"))
        return self.render("auth/password.html", form=form)


# Requests a page's script makes by itself (a job page asking how far the job is): they
# need a live session but are not the person at work, so an unattended screen still
# reaches the idle timeout.
SCRIPT_POLLS = frozenset({"jobs.status"})


def _load_user(user_id: str) -> User | None:
    """The user of a session that still counts (not ended, within its lifetimes, user
    active); the cookie alone proves nothing."""
    row = sessions.live(db.session, session.get("sid"), user_id=int(user_id),
                        lifetimes=flow.lifetimes()) if user_id.isdigit() else None
    g.user_session = row
    g.session_touched = (row is not None and request.endpoint not in SCRIPT_POLLS
                         and sessions.touch(row))
    return row.user if row is not None else None


def _check_session():
    """Settle the session first thing: commit its last-seen touch or its end, and forget
    a cookie whose session no longer counts. Health probes never touch the session.

    A page read with nothing to settle (the touch is written once a minute; an ended
    session is settled above) goes on in the transaction that read the session:
    committing it would cost a round trip, and the page's next statement another
    connection check-out with its ping (issue 16)."""
    if request.endpoint in PROBES or "_user_id" not in session:
        return None
    if not current_user.is_authenticated:
        db.session.commit()  # the end of an expired session
        flow.sign_out_cookie()
        flash(_("Your session has ended. Please sign in again."), "info")
        return None
    if request.method not in READ_METHODS or g.get("session_touched"):
        db.session.commit()
    return None


def _force_password_change():
    """Accounts made outside demo mode must choose their own password first."""
    allowed = {"auth.password", "auth.logout", "auth.login", "static", "admin.static",
               "i18n.switch_language", *PROBES}
    if (request.endpoint not in allowed and current_user.is_authenticated
            and current_user.must_change_password):
        return redirect(url_for("auth.password"))
    return None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.before_request(_check_session)
    app.before_request(_force_password_change)
