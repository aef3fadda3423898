"""Forms of the intake and case pages."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from caseapp.cases.labels import CATEGORY_LABELS, CHANNEL_LABELS
from caseapp.forms import BaseForm

_DIGITS16 = Regexp(r"^\s*\d{16}\s*$", message=_l("Exactly 16 digits."))


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class IntakeForm(BaseForm):
    nik = StringField("NIK", validators=[DataRequired(), _DIGITS16])
    kk_number = StringField(_l("KK number"), validators=[DataRequired(), _DIGITS16])
    full_name = StringField(_l("Name as on the KTP"), validators=[DataRequired(), Length(max=200)])
    birth_place = StringField(_l("Birth place"), validators=[DataRequired(), Length(max=100)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    sex = SelectField(_l("Sex"), choices=[SelectChoice("L", _l("Male (L)")),
                                          SelectChoice("P", _l("Female (P)"))])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    rt = StringField("RT", validators=[DataRequired(), Regexp(r"^\d{1,3}$")])
    rw = StringField("RW", validators=[DataRequired(), Regexp(r"^\d{1,3}$")])
    kelurahan_code = SelectField(_l("Kelurahan (domicile)"), validators=[DataRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Regexp(r"^\+?\d{8,15}$")])
    category = SelectField(_l("Category (Pasal 90 ayat 1)"), choices=_choices(CATEGORY_LABELS))
    occupation = StringField(_l("Occupation (e.g. PKL, ojek, buruh harian)"),
                             validators=[DataRequired(), Length(max=100)])
    monthly_income = IntegerField(_l("Declared monthly income (Rp)"),
                                  validators=[DataRequired(), NumberRange(min=0)])
    intake_channel = SelectField(_l("Intake channel"), choices=_choices(CHANNEL_LABELS))
    program_year = IntegerField(_l("Programme year"), default=lambda: date.today().year,
                                validators=[DataRequired(), NumberRange(min=2024, max=2100)])


class UploadForm(BaseForm):
    document_type = SelectField(_l("Document"), validators=[DataRequired()])
    file = FileField(_l("File (PDF, JPEG or PNG)"), validators=[FileRequired()])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class ResolveForm(BaseForm):
    resolution = SelectField(_l("Decision"), choices=[
        SelectChoice("not_duplicate", _l("Not a duplicate (different people)")),
        SelectChoice("duplicate", _l("Duplicate (the same person)"))])
    note = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class WorklistFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False  # a GET filter changes nothing

    kecamatan = SelectField(_l("Kecamatan"), validators=[Optional()])
    kelurahan = SelectField(_l("Kelurahan"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()],
                           choices=[SelectChoice("", _l("All"))] + _choices(CATEGORY_LABELS))
    min_age_days = IntegerField(_l("Waiting at least (days)"),
                                validators=[Optional(), NumberRange(min=0, max=3650)])
