"""A person's own sign-in security: the second factor and the open sessions, each of
which they can end (a browser left signed in elsewhere, a cookie someone copied)."""
from flask import current_app, flash, g, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from caseapp.actor import current_actor
from caseapp.admin.base import OwnPagesView
from caseapp.auth import flow
from caseapp.extensions import db
from caseapp.refusals import refuse
from workflows import sessions
from workflows.errors import WorkflowError


class SessionsView(OwnPagesView):
    """For every signed-in user; reached from the account menu."""

    @expose("/")
    def index(self):
        rows = sessions.open_sessions(db.session, current_user, flow.lifetimes())
        config = current_app.config
        return self.render("auth/sessions.html", rows=rows, current_id=g.user_session.id,
                           idle=config["SESSION_IDLE_MINUTES"],
                           hours=config["SESSION_ABSOLUTE_HOURS"])

    @expose("/<int:user_session_id>/end", methods=("POST",))
    def end(self, user_session_id: int):
        own = user_session_id == g.user_session.id
        try:
            sessions.end_own_session(db.session, current_user, user_session_id,
                                     actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return redirect(url_for(".index"))
        if own:
            flow.sign_out_cookie()
            return redirect(url_for("auth.login"))
        flash(_("The session has ended."), "success")
        return redirect(url_for(".index"))

    @expose("/end-others", methods=("POST",))
    def end_others(self):
        count = sessions.end_user_sessions(db.session, current_user, "ended_by_user",
                                           actor=current_actor(), keep=g.user_session)
        db.session.commit()
        flash(_("%(n)d other session(s) ended.", n=count), "success")
        return redirect(url_for(".index"))
