"""Form bases: Flask-WTF's CSRF token plus our WTForms validator translations; fields
that read what people type here."""
import re

from flask_admin.form import BaseForm as FlaskAdminForm
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.widgets import TextInput

from caseapp.i18n import WTFormsTranslations
from workflows.messages import lazy_gettext as _l

_translations = WTFormsTranslations()


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations


class AdminForm(FlaskAdminForm):
    """Flask-Admin's form (it keeps the edited object for its unique checks) with our Meta."""

    class Meta(BaseForm.Meta):
        pass


# Whole rupiah as written here: 2400000, 2.400.000, Rp 2.400.000 or 2.400.000,00.
_RUPIAH = re.compile(r"^(?:Rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?$", re.IGNORECASE)


class RupiahField(IntegerField):
    """An amount in whole rupiah, with or without the dots that group thousands (a text
    box: a number box would refuse the dots before the form saw them)."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        match = _RUPIAH.match(valuelist[0].strip())
        if match is None:
            self.data = None
            raise ValueError(_l("Write the amount in whole rupiah, e.g. 2.400.000."))
        self.data = int(match.group(1).replace(".", ""))
