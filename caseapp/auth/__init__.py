"""Sign-in, sign-out and password change, inside the Flask-Admin shell."""
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from caseapp.actor import current_actor
from caseapp.auth.forms import LoginForm, PasswordForm
from caseapp.extensions import db, limiter, login_manager
from caseapp.redirects import local_target
from caseapp.refusals import refuse
from models import User
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
            user = user_verbs.authenticate(db.session, form.username.data, form.password.data,
                                           ip=request.remote_addr, request_id=g.request_id)
            db.session.commit()
            if user is not None:
                lang = session.get("lang")
                session.clear()  # no session fixation: a fresh session after sign-in
                if lang:
                    session["lang"] = lang
                login_user(user)
                if user.must_change_password:
                    return redirect(url_for("auth.password"))
                return redirect(local_target(request.args.get("next")))
            flash(_("Wrong username or password."), "error")
        return self.render("auth/login.html", form=form)

    @expose("/logout", methods=("POST",))
    @login_required
    def logout(self):
        user_verbs.record_logout(db.session, current_user._get_current_object(),
                                 actor=current_actor())
        db.session.commit()
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
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
                                           actor=current_actor())
                db.session.commit()
            except WorkflowError as exc:
                refuse(exc)
            else:
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("admin.index"))
        return self.render("auth/password.html", form=form)


def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _force_password_change():
    """Accounts made outside demo mode must choose their own password first."""
    allowed = {"auth.password", "auth.logout", "auth.login", "static", "admin.static",
               "i18n.switch_language"}
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in allowed):
        return redirect(url_for("auth.password"))
    return None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.before_request(_force_password_change)
