"""Forms of the sign-in pages."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from caseapp.forms import BaseForm
from workflows.messages import lazy_gettext as _l


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new")])
