"""Form bases: Flask-WTF's CSRF token plus our WTForms validator translations; fields
that read what people type here."""
import re

from flask_admin.form import BaseForm as FlaskAdminForm
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import IntegerField
from wtforms.widgets import Select, TextInput

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


class KeptOptionsSelect(Select):
    """WTForms' select, its HTML kept per (choices, chosen value, attributes): WTForms 3
    spends some 20 µs on each option (a Choice, a signature inspection, Markup.format),
    and the 56 kelurahan are the same on every worklist and case page (issue 16). For
    fields whose choices are (value, label) pairs; any other choices or attributes are
    rendered as WTForms renders them, uncached."""

    LIMIT = 512  # chosen values x languages x attributes stay far below it

    def __init__(self):
        super().__init__()
        self._html = {}

    def __call__(self, field, **kwargs):
        try:
            choices = tuple((value, escape(label)) for value, label in field.choices)
            key = (field.name, field.id, field.data, tuple(sorted(kwargs.items())), choices,
                   tuple(k for k in self.validation_attrs if getattr(field.flags, k, False)))
            hash(key)
        except (TypeError, ValueError):  # choices or attributes it was not made for
            return super().__call__(field, **kwargs)
        html = self._html.get(key)
        if html is None:
            html = super().__call__(field, **kwargs)
            # A value no choice has (typed into the URL) is shown, never kept.
            if field.data in (None, "") or any(field.data == value for value, _ in choices):
                if len(self._html) >= self.LIMIT:
                    self._html.clear()
                self._html[key] = html
        return html


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
