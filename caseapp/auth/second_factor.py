"""The second step of a sign-in (authenticator or recovery code) and setting up the
authenticator app: a QR code drawn on the server (segno, an inline SVG image, no
script) and the secret in letters for apps that cannot scan."""
from math import ceil

import segno
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user

from caseapp.auth import flow
from caseapp.auth.forms import CodeForm, EnrolForm
from caseapp.extensions import db, limiter
from caseapp.refusals import refuse
from workflows import mfa
from workflows.actor import Actor
from workflows.errors import WorkflowError


def _actor(user) -> Actor:
    return Actor.for_user(user, ip=request.remote_addr, request_id=g.get("request_id"))


class SecondFactorView(BaseView):
    """Reached between the password and the session, or by a signed-in person who
    turns the second factor on; never in the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/", methods=("GET", "POST"))
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    def verify(self):
        if current_user.is_authenticated:
            return redirect(url_for("admin.index"))
        user = flow.pending_user()
        if user is None or not user.totp_secret:
            return redirect(url_for("auth.login"))
        form = CodeForm()
        if form.validate_on_submit():
            second = mfa.verify(db.session, user, form.code.data, actor=_actor(user))
            if second:
                return flow.finish(user, second)  # one commit with the sign-in event
            db.session.commit()
            wait = mfa.code_wait(user)
            flash(_("Too many wrong codes: wait %(minutes)d minute(s), or use a recovery "
                    "code.", minutes=ceil(wait / 60)) if wait else _("Wrong code."), "error")
        return self.render("auth/mfa.html", form=form)

    @expose("/enrol", methods=("GET", "POST"))
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    def enrol(self):
        signed_in = current_user.is_authenticated and not current_user.must_change_password
        user = current_user._get_current_object() if signed_in else flow.pending_user()
        if user is None or user.totp_secret:
            return redirect(url_for("sessions.index" if signed_in else "auth.login"))
        secret = session.setdefault("mfa_secret", mfa.new_secret())
        form = EnrolForm()
        if form.validate_on_submit():
            try:
                codes = mfa.enrol(db.session, user, secret=secret, code=form.code.data,
                                  actor=_actor(user))
                db.session.commit()
            except WorkflowError as exc:
                refuse(exc)
            else:
                session.pop("mfa_secret", None)
                onward = (redirect(url_for("sessions.index")) if signed_in
                          else flow.finish(user, "totp"))
                return self.render("auth/recovery_codes.html", codes=codes,
                                   onward=onward.location)
        qr = segno.make(mfa.provisioning_uri(secret, user.username), error="m")
        return self.render("auth/enrol.html", form=form, secret=secret,
                           qr=qr.svg_data_uri(scale=5), required=mfa.required(user))
