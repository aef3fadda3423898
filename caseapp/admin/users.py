"""Staff accounts for the admin; creation and role changes go through the user verbs."""
from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from caseapp.actor import current_actor
from caseapp.admin.base import SecureModelView
from caseapp.forms import BaseForm
from caseapp.i18n import ROLE_LABELS
from caseapp.refusals import refuse
from caseapp.cases.labels import PARTNER_OFFICE_LABELS
from models import Kecamatan, Kelurahan, PartnerScope, Role, User
from workflows import mfa, partners, role_grants, sessions
from workflows import users as user_verbs
from workflows.errors import InvalidInput, WorkflowError
from workflows.messages import lazy_gettext as _l

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]
SCOPE_HELP = _l("For a partner account: the kelurahan, kecamatan or partner office it covers; "
                "it sees and takes in nothing else.")


def scope_choices(session) -> list[SelectChoice]:
    """``kind:key`` for every kelurahan, kecamatan and partner office."""
    kecamatan = session.execute(select(Kecamatan.code, Kecamatan.name)
                                .order_by(Kecamatan.name)).all()
    kelurahan = session.execute(select(Kelurahan.code, Kelurahan.name, Kecamatan.name)
                                .join(Kecamatan).order_by(Kecamatan.name, Kelurahan.name)).all()
    return ([SelectChoice("", "-")]
            + [SelectChoice(f"office:{code}", str(label))
               for code, label in PARTNER_OFFICE_LABELS.items()]
            + [SelectChoice(f"kecamatan:{code}", f"{_('Kecamatan')} {name}")
               for code, name in kecamatan]
            + [SelectChoice(f"kelurahan:{code}", f"{_('Kelurahan')} {name} ({kec})")
               for code, name, kec in kelurahan])


class UserCreateForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()])
    partner_scope = SelectField(_l("Partner's area or office"), description=SCOPE_HELP,
                                choices=[], validate_choice=False)


class UserEditForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"))
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()])
    partner_scope = SelectField(_l("Partner's area or office"), description=SCOPE_HELP,
                                choices=[], validate_choice=False)


def _roles(view, context, model, name):
    held = ", ".join(str(ROLE_LABELS[r]) for r in model.role_names)
    waiting = [str(ROLE_LABELS[g.role]) for g in role_grants.pending(view.session, model)]
    if not waiting:
        return held
    label = _("waiting for confirmation")
    return f"{held} ({label}: {', '.join(waiting)})"


def _scope(view, context, model, name):
    scope = view.session.get(PartnerScope, model.id)
    if scope is None:
        return ""
    if scope.kind == "office":
        return str(PARTNER_OFFICE_LABELS.get(scope.key, scope.key))
    place = view.session.get(Kelurahan if scope.kind == "kelurahan" else Kecamatan, scope.key)
    return f"{scope.kind} {place.name if place else scope.key}"


class UserView(SecureModelView):
    roles = write_roles = (Role.ADMIN.value,)
    allow_create = allow_edit = True
    column_list = ("username", "full_name", "role_names", "partner_scope", "active",
                   "must_change_password", "created_at")
    column_details_list = column_list
    column_searchable_list = ("username", "full_name")
    column_formatters = {"role_names": _roles, "partner_scope": _scope}
    column_labels = {"username": _l("Username"), "full_name": _l("Full name"),
                     "role_names": _l("Roles"), "partner_scope": _l("Partner's area or office"),
                     "active": _l("Active"),
                     "must_change_password": _l("Must change password"),
                     "created_at": _l("Created at")}

    def get_create_form(self):
        return UserCreateForm

    def get_edit_form(self):
        return UserEditForm

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.partner_scope.choices = scope_choices(self.session)
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.partner_scope.choices = scope_choices(self.session)
        return form

    def on_form_prefill(self, form, id):
        user = self.get_one(id)
        form.roles.data = list(user.role_names)
        scope = self.session.get(PartnerScope, user.id)
        form.partner_scope.data = "" if scope is None else f"{scope.kind}:{scope.key}"

    def _set_scope(self, user: User, form, actor) -> None:
        """A partner account needs its area or office (audited as partner.scope)."""
        wanted = form.partner_scope.data or ""
        partner = Role.PARTNER.value in (form.roles.data or [])
        if partner and not wanted:
            raise InvalidInput(_l("Choose the partner's area or office."))
        if wanted:
            kind, _sep, key = wanted.partition(":")
            partners.set_scope(self.session, user, kind=kind, key=key, actor=actor)

    def _commit_or_report(self, work):
        try:
            result = work()
            self.session.commit()
            return result
        except WorkflowError as exc:
            refuse(exc)
            return False

    def create_model(self, form):
        def work():
            actor = current_actor()
            user = user_verbs.create_user(
                self.session, username=form.username.data, full_name=form.full_name.data,
                password=form.password.data, roles=form.roles.data, actor=actor)
            self._set_scope(user, form, actor)
            return user
        return self._commit_or_report(work)

    def update_model(self, form, model: User):
        def work():
            actor = current_actor()
            user_verbs.update_account(self.session, model, full_name=form.full_name.data,
                                      active=bool(form.active.data), actor=actor)
            user_verbs.set_roles(self.session, model, form.roles.data, actor=actor)
            self._set_scope(model, form, actor)
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
