"""Forms of the sign-in pages."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from caseapp.forms import BaseForm
from workflows.messages import lazy_gettext as _l


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code from the authenticator app"), validators=[Length(max=20)])


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new")])


class CodeForm(BaseForm):
    code = StringField(_l("Code from the authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=20)])


class EnrolForm(BaseForm):
    code = StringField(_l("Code the app shows now"),
                       validators=[DataRequired(), Length(min=6, max=6)])

