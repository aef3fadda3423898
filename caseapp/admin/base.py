"""The one hardened base every Flask-Admin view derives from.

Access by role, explicit columns, no export, no fast mass delete, our CSRF
form base, and every create/edit/delete recorded in the audit log inside the
same transaction Flask-Admin commits.
"""
import warnings

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.menu import MenuLink
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.model import filters
from flask_login import current_user

from caseapp.actor import current_actor
from caseapp.extensions import db
from caseapp.forms import AdminForm
from caseapp.refusals import refuse
from workflows.audit import record_change
from workflows.errors import WorkflowError


class RoleAccessMixin:
    """Visible and reachable only for signed-in users holding one of ``roles``."""

    roles: tuple[str, ...] = ()

    def is_accessible(self) -> bool:
        return (current_user.is_authenticated and not current_user.must_change_password
                and current_user.has_role(*self.roles))

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.must_change_password:
            return redirect(url_for("auth.password"))
        abort(403)


class SecureView(RoleAccessMixin, BaseView):
    """A custom (non-model) page."""

    def commit_verb(self, work, *, refused, message, location):
        """Run one workflow verb and commit once. A refusal shows ``refused(status)`` with
        the reason (and is recorded); success flashes ``message`` and goes to
        ``location``, each text or a function of the verb's result."""
        try:
            result = work()
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return refused(exc.status)
        flash(message(result) if callable(message) else message, "success")
        return redirect(location(result) if callable(location) else location)


def chosen_year(default: int) -> int:
    """The programme year the page was asked for, else ``default``."""
    try:
        return int(request.values.get("year") or default)
    except ValueError:
        return default


class RoleMenuLink(MenuLink):
    """A menu entry to a page of another view, shown only to ``roles``."""

    def __init__(self, *, roles: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.roles = roles

    def is_accessible(self) -> bool:
        return (current_user.is_authenticated and not current_user.must_change_password
                and current_user.has_role(*self.roles))


class CaseFilterConverter(FilterConverter):
    """Date filters for our UTC timestamp column type too."""

    @filters.convert("utcdatetime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return self.conv_datetime(column, name, **kwargs)


class SecureModelView(RoleAccessMixin, ModelView):
    """Model list/detail with writes opened explicitly per view and per role."""

    write_roles: tuple[str, ...] = ()
    allow_create = allow_edit = allow_delete = False

    can_export = False
    can_view_details = True
    can_set_page_size = False
    page_size = 25
    fast_mass_delete = False
    form_base_class = AdminForm
    filter_converter = CaseFilterConverter()
    column_display_actions = True
    action_disallowed_list = ["delete"]

    def __init__(self, model, **kwargs):
        if self.column_list is None:
            raise TypeError(f"{type(self).__name__} must list its columns explicitly")
        # Flask-Admin 2.x recognises only Flask-SQLAlchemy objects as "db" and warns
        # about a plain scoped session, which is exactly what we have.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(model, db.session, **kwargs)

    def _can_write(self) -> bool:
        return current_user.is_authenticated and current_user.has_role(*self.write_roles)

    @property
    def can_create(self) -> bool:
        return self.allow_create and self._can_write()

    @property
    def can_edit(self) -> bool:
        return self.allow_edit and self._can_write()

    @property
    def can_delete(self) -> bool:
        return self.allow_delete and self._can_write()

    def _handle_view(self, name, **kwargs):
        """Refuse writes the role may not make with 403, before Flask-Admin runs them."""
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        permission = {"create_view": self.can_create, "edit_view": self.can_edit,
                      "delete_view": self.can_delete, "export": self.can_export,
                      "action_view": self._can_write(), "ajax_update": self.can_edit,
                      }.get(name, True)
        if not permission:
            abort(403)
        return None

    @property
    def audit_name(self) -> str:
        return self.model.__tablename__

    def on_model_change(self, form, model, is_created):
        action = f"admin.{'create' if is_created else 'update'}.{self.audit_name}"
        record_change(self.session, current_actor(), action, model, created=is_created)

    def on_model_delete(self, model):
        record_change(self.session, current_actor(), f"admin.delete.{self.audit_name}",
                      model, deleted=True)

    def handle_view_exception(self, exc) -> bool:
        if isinstance(exc, WorkflowError):
            refuse(exc)
            return True
        return super().handle_view_exception(exc)


class ReadOnlyModelView(SecureModelView):
    """Workflow models: listed and shown here, changed only through workflow actions."""

    allow_create = allow_edit = allow_delete = False
