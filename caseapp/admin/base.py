"""The one hardened base every Flask-Admin view derives from.

Access by role, explicit columns, no export, no fast mass delete, our CSRF
form base, and every create/edit/delete recorded in the audit log inside the
same transaction Flask-Admin commits.
"""
import logging
import warnings

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.menu import MenuLink
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterConverter, FilterEqual, FilterNotEqual
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.form import converts
from flask_admin.model import filters
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import BigInteger, Integer
from sqlalchemy.exc import SQLAlchemyError
from wtforms.validators import NumberRange, StopValidation, ValidationError

from caseapp.actor import current_actor
from caseapp.admin.formatting import TYPE_FORMATTERS, code_labels, money
from caseapp.arguments import MAX_BIGINT, MAX_ID, bounded_int, year_arg
from caseapp.extensions import db
from caseapp.forms import AdminForm
from caseapp.refusals import refuse
from workflows.messages import lazy_gettext as _l
from workflows.audit import record_change
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)


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


class OwnPagesView(BaseView):
    """Pages of the signed-in person's own things (sessions, jobs), for every role;
    reached from links, never in the menu."""

    def is_visible(self) -> bool:
        return False

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and not current_user.must_change_password

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.password" if current_user.is_authenticated
                                else "auth.login"))


class SecureView(RoleAccessMixin, BaseView):
    """A custom (non-model) page."""

    def commit_verb(self, work, *, refused, message, location, category="success"):
        """Run one workflow verb and commit once. A refusal shows ``refused(status)`` with
        the reason (and is recorded); success flashes ``message`` in the style
        ``category`` and goes to ``location``, each text or a function of the verb's
        result."""
        try:
            result = work()
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return refused(exc.status)
        flash(message(result) if callable(message) else message,
              category(result) if callable(category) else category)
        return redirect(location(result) if callable(location) else location)


def chosen_year(default: int) -> int:
    """The programme year the page was asked for, else ``default``."""
    return year_arg(default)


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


def _largest(column_type) -> int:
    return MAX_BIGINT if isinstance(column_type, BigInteger) else MAX_ID


class BoundedModelConverter(AdminModelConverter):
    """Number fields refuse what their column cannot hold, as a form error (it was an
    OverflowError or "integer out of range" from the database: a 500)."""

    @converts("Integer")  # includes BigInteger and SmallInteger
    def handle_integer_types(self, column, field_args, **extra):
        top = _largest(column.type)
        field_args["validators"].insert(0, _Fits(min=-top - 1, max=top, message=_l(
            "The number is outside what this field can hold.")))
        return super().handle_integer_types(column, field_args, **extra)


class _Fits(NumberRange):
    """A number the column cannot hold ends the field's checks: the next one may be a
    uniqueness query, which would raise on it. No number at all is for the others."""

    def __call__(self, form, field):
        if field.data is None:
            return
        try:
            super().__call__(form, field)
        except ValidationError as exc:
            raise StopValidation(str(exc)) from exc


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
    model_form_converter = BoundedModelConverter
    max_page = 100_000  # past any list's last page; the offset stays within BIGINT
    column_type_formatters = column_type_formatters_detail = TYPE_FORMATTERS
    # Columns holding codes ({column: {code: label}}): shown as labels, filtered by choice.
    column_codes: dict[str, dict] = {}
    column_money: tuple[str, ...] = ()  # whole rupiah, shown as Rp1.234.567

    def __init__(self, model, **kwargs):
        if self.column_list is None:
            raise TypeError(f"{type(self).__name__} must list its columns explicitly")
        self.column_formatters = {**{name: money for name in self.column_money},
                                  **{name: code_labels(labels)
                                     for name, labels in self.column_codes.items()},
                                  **(self.column_formatters or {})}
        self.column_choices = {name: list(labels.items())
                               for name, labels in self.column_codes.items()}
        # Flask-Admin 2.x recognises only Flask-SQLAlchemy objects as "db" and warns
        # about a plain scoped session, which is exactly what we have.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(model, db.session, **kwargs)

    def scaffold_filters(self, name):
        """A code column is filtered by choosing one of its labels (equal or not)."""
        found = super().scaffold_filters(name)
        if name in self.column_codes and found:
            return [f for f in found if isinstance(f, (FilterEqual, FilterNotEqual))]
        return found

    def _get_list_extra_args(self):
        """The list's query arguments, the page bounded (page=2**63 was an OFFSET the
        database cannot take)."""
        args = super()._get_list_extra_args()
        args.page = bounded_int(request.args.get("page"), 0, self.max_page) or 0
        return args

    def get_one(self, id):
        """The row ``?id=`` names, or None (the "no such record" answer) when it is no
        key its column can hold: "abc" or 2**63 made the query raise."""
        keys = self.model.__mapper__.primary_key
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            key = bounded_int(id, -_largest(keys[0].type) - 1, _largest(keys[0].type))
            return None if key is None else super().get_one(str(key))
        return super().get_one(id)

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
        """A refusal is shown as such; a database error is logged and told in words,
        never as the SQL statement Flask-Admin would flash."""
        if isinstance(exc, WorkflowError):
            refuse(exc)
            return True
        if isinstance(exc, SQLAlchemyError):
            log.warning("%s: the database refused a change: %s", type(self).__name__, exc)
            flash(_("The database refused this change (for example a code that is already "
                    "used, still referenced, or in the wrong format); nothing was saved."),
                  "error")
            return True
        return super().handle_view_exception(exc)


class ReadOnlyModelView(SecureModelView):
    """Workflow models: listed and shown here, changed only through workflow actions."""

    allow_create = allow_edit = allow_delete = False
