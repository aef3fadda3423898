"""Staff accounts for the admin; creation and role changes go through the user verbs."""
from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from caseapp.actor import current_actor
from caseapp.admin.base import SecureModelView
from caseapp.forms import BaseForm
from caseapp.i18n import ROLE_LABELS
from caseapp.refusals import refuse
from models import Role, User
from workflows import mfa, role_grants, sessions
from workflows import users as user_verbs
from workflows.errors import WorkflowError
from workflows.messages import lazy_gettext as _l

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]


class UserCreateForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()])


class UserEditForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"))
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()])


def _roles(view, context, model, name):
    held = ", ".join(str(ROLE_LABELS[r]) for r in model.role_names)
    waiting = [str(ROLE_LABELS[g.role]) for g in role_grants.pending(view.session, model)]
    if not waiting:
        return held
    label = _("waiting for confirmation")
    return f"{held} ({label}: {', '.join(waiting)})"


class UserView(SecureModelView):
    roles = write_roles = (Role.ADMIN.value,)
    allow_create = allow_edit = True
    column_list = ("username", "full_name", "role_names", "active", "must_change_password",
                   "created_at")
    column_details_list = column_list
    column_searchable_list = ("username", "full_name")
    column_formatters = {"role_names": _roles}
    column_labels = {"username": _l("Username"), "full_name": _l("Full name"),
                     "role_names": _l("Roles"), "active": _l("Active"),
                     "must_change_password": _l("Must change password"),
                     "created_at": _l("Created at")}

    def get_create_form(self):
        return UserCreateForm

    def get_edit_form(self):
        return UserEditForm

    def on_form_prefill(self, form, id):
        form.roles.data = list(self.get_one(id).role_names)

    def _commit_or_report(self, work):
        try:
            result = work()
            self.session.commit()
            return result
        except WorkflowError as exc:
            refuse(exc)
            return False

    def create_model(self, form):
        return self._commit_or_report(lambda: user_verbs.create_user(
            self.session, username=form.username.data, full_name=form.full_name.data,
            password=form.password.data, roles=form.roles.data, actor=current_actor()))

    def update_model(self, form, model: User):
        def work():
            actor = current_actor()
            user_verbs.update_account(self.session, model, full_name=form.full_name.data,
                                      active=bool(form.active.data), actor=actor)
            user_verbs.set_roles(self.session, model, form.roles.data, actor=actor)
            return True
        return self._commit_or_report(work)

    @action("end_sessions", _l("End sessions"),
            _l("Sign the selected users out of every browser?"))
    def end_sessions(self, ids):
        """A lost laptop or a departing employee: their open sessions end now."""
        actor, count = current_actor(), 0
        for user in self.session.query(User).filter(User.id.in_([int(i) for i in ids])):
            count += sessions.end_user_sessions(self.session, user, "ended_by_admin",
                                                actor=actor)
        self.session.commit()
        flash(_("%(n)d session(s) ended.", n=count), "success")

    @action("reset_second_factor", _l("Reset second factor"),
            _l("Turn the authenticator app off for the selected users? They set it up again "
               "at their next sign-in."))
    def reset_second_factor(self, ids):
        """A lost phone and lost recovery codes (workflows.mfa.reset)."""
        def work():
            actor = current_actor()
            for user in self.session.query(User).filter(User.id.in_([int(i) for i in ids])):
                mfa.reset(self.session, user, actor=actor)
            return True
        if self._commit_or_report(work):
            flash(_("The second factor is reset; it is set up again at the next sign-in."),
                  "success")
