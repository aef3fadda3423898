"""Form bases: Flask-WTF's CSRF token plus our WTForms validator translations."""
from flask_admin.form import BaseForm as FlaskAdminForm
from flask_wtf import FlaskForm

from caseapp.i18n import WTFormsTranslations

_translations = WTFormsTranslations()


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations


class AdminForm(FlaskAdminForm):
    """Flask-Admin's form (it keeps the edited object for its unique checks) with our Meta."""

    class Meta(BaseForm.Meta):
        pass
