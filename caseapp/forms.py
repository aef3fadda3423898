"""The one form base: Flask-WTF's CSRF token plus our validator translations."""
from flask_wtf import FlaskForm

from caseapp.i18n import WTFormsTranslations

_translations = WTFormsTranslations()


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations
