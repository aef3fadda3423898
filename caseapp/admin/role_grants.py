"""Role grants waiting for a second person: the admin and the auditor see them, a head
confirms or declines them (workflows/role_grants.py)."""
from flask import abort, url_for
from flask_admin import expose

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.extensions import db
from models import Role, RoleGrant
from workflows import role_grants
from workflows.messages import lazy_gettext as _l


class RoleGrantsView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value)

    @expose("/")
    def index(self):
        actor = current_actor()
        grants = role_grants.pending(db.session)
        return self.render("admin/role_grants.html", grants=grants,
                           can_confirm={g.id for g in grants
                                        if role_grants.can_confirm(actor, g)})

    def _decide(self, role_grant_id: int, verb, message):
        grant = db.session.get(RoleGrant, role_grant_id) or abort(404)
        return self.commit_verb(lambda: verb(db.session, grant, actor=current_actor()),
                                refused=lambda status: (self.index(), status),
                                message=message, location=url_for(".index"))

    @expose("/<int:role_grant_id>/confirm", methods=("POST",))
    def confirm(self, role_grant_id: int):
        return self._decide(role_grant_id, role_grants.confirm, _l("The role is granted."))

    @expose("/<int:role_grant_id>/decline", methods=("POST",))
    def decline(self, role_grant_id: int):
        return self._decide(role_grant_id, role_grants.decline, _l("The role grant is declined."))
