"""Forms of the intake and case pages."""

from wtforms import (DateField, IntegerField, SelectField, StringField,
                     TextAreaField)
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                Regexp, ValidationError)

from caseapp.arguments import YEARS
from caseapp.cases.labels import (CATEGORY_LABELS, CHANNEL_LABELS, PARTNER_OFFICE_LABELS,
                                  SEX_LABELS)
from caseapp.cases.worklists import INTAKE_CHOICES, state_choices
from caseapp.extensions import db
from caseapp.forms import BaseForm, KeptOptionsSelect, RupiahField
from models import Kecamatan, Kelurahan, clock
from workflows.budget import decision_year
from workflows.messages import lazy_gettext as _l
from workflows.worker_corrections import PHONE, PHONE_RULE, RT_RW, RT_RW_RULE

def kelurahan_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """Kelurahan by kecamatan, for the intake, correction and worklist forms."""
    rows = db.session.execute(select(Kelurahan.code, Kelurahan.name, Kecamatan.name)
                              .join(Kecamatan).order_by(Kecamatan.name, Kelurahan.name)).all()
    choices = [(code, f"{kec} — {name}") for code, name, kec in rows]
    return ([("", blank)] if blank else []) + choices


def kecamatan_names(codes: set[str] | None = None) -> dict[str, str]:
    """Code -> name of the kecamatan (all, or ``codes``), in the order of their names."""
    stmt = select(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.name)
    if codes is not None:
        stmt = stmt.where(Kecamatan.code.in_(codes))
    return dict(db.session.execute(stmt).all())


_DIGITS16 = Regexp(r"^\s*\d{16}\s*$", message=_l("Exactly 16 digits."))


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class WorkerDataForm(BaseForm):
    """The worker's data as intake takes it, shared by intake and corrections."""

    kk_number = StringField(_l("KK number"), validators=[DataRequired(), _DIGITS16])
    full_name = StringField(_l("Name as on the KTP"), validators=[DataRequired(), Length(max=200)])
    birth_place = StringField(_l("Birth place"), validators=[DataRequired(), Length(max=100)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    sex = SelectField(_l("Sex"), choices=[SelectChoice(code, label)
                                          for code, label in SEX_LABELS.items()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    rt = StringField("RT", validators=[DataRequired(), Regexp(RT_RW, message=RT_RW_RULE)])
    rw = StringField("RW", validators=[DataRequired(), Regexp(RT_RW, message=RT_RW_RULE)])
    kelurahan_code = SelectField(_l("Kelurahan (domicile)"), validators=[DataRequired()],
                                 widget=KeptOptionsSelect())
    phone = StringField(_l("Phone"), validators=[Optional(), Regexp(PHONE, message=PHONE_RULE)])
    occupation = StringField(_l("Occupation (e.g. PKL, ojek, buruh harian)"),
                             validators=[DataRequired(), Length(max=100)])


class IntakeForm(WorkerDataForm):
    nik = StringField("NIK", validators=[DataRequired(), _DIGITS16])
    category = SelectField(_l("Category (Pasal 90 ayat 1)"), choices=_choices(CATEGORY_LABELS))
    # InputRequired, not DataRequired: that would replace "write it like 2.400.000" (and
    # refuse Rp 0) with "required".
    monthly_income = RupiahField(_l("Declared monthly income (Rp)"),
                                 validators=[InputRequired(), NumberRange(min=0)])
    intake_channel = SelectField(_l("Intake channel"), choices=_choices(CHANNEL_LABELS))
    # Which partner office, for the partner channel; a partner account's own is its scope's.
    partner_office = SelectField(_l("Partner office (partner channel)"), validators=[Optional()],
                                 default="", choices=[SelectChoice("", "-")]
                                 + _choices(PARTNER_OFFICE_LABELS))
    program_year = IntegerField(_l("Programme year"), default=lambda: decision_year(clock.today()),
                                validators=[DataRequired(), NumberRange(min=2024, max=2100)])
    # Consent to notices (workflows/notices/consent.py) as one choice, not a checkbox and
    # a channel: one target a thumb can hit on a phone, and no channel without consent.
    notice_channel = SelectField(_l("Agrees to receive notices by SMS/WhatsApp"), default="",
                                 choices=[SelectChoice("", _l("No")),
                                          SelectChoice("whatsapp", _l("Yes, by WhatsApp")),
                                          SelectChoice("sms", _l("Yes, by SMS"))])

    def validate_notice_channel(self, field):
        if field.data and not (self.phone.data or "").strip():
            raise ValidationError(_l("Enter the phone number the notices go to."))


class WorkerCorrectionForm(WorkerDataForm):
    """The case page's correction of the worker's data; the page leaves out what the
    case's state no longer allows."""

    correctable: tuple[str, ...] = ()  # the fields offered, set by the page
    frozen: tuple[str, ...] = ()  # labels of the fields the state no longer allows

    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[DataRequired(), Length(max=1000)])


# The case page's upload has a file input per document type, named by this prefix and
# the type's code, so a caseworker sends every document of an intake at once.
UPLOAD_PREFIX = "file-"


class ResolveForm(BaseForm):
    resolution = SelectField(_l("Decision"), choices=[
        SelectChoice("not_duplicate", _l("Not a duplicate (different people)")),
        SelectChoice("duplicate", _l("Duplicate (the same person)"))])
    note = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class WorklistFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False  # a GET filter changes nothing

    state = SelectField(_l("Cases"), default="submitted",
                        choices=[SelectChoice(value, label) for value, label in state_choices()])
    intake = SelectField(_l("Taken in by"), validators=[Optional()],
                         choices=[SelectChoice(value, label) for value, label in INTAKE_CHOICES])
    year = IntegerField(_l("Programme year"),
                        validators=[Optional(), NumberRange(min=YEARS[0], max=YEARS[1])])
    kecamatan = SelectField(_l("Kecamatan"), validators=[Optional()], widget=KeptOptionsSelect())
    kelurahan = SelectField(_l("Kelurahan"), validators=[Optional()], widget=KeptOptionsSelect())
    category = SelectField(_l("Category"), validators=[Optional()],
                           choices=[SelectChoice("", _l("All"))] + _choices(CATEGORY_LABELS))
    min_age_days = IntegerField(_l("Waiting at least (days)"),
                                validators=[Optional(), NumberRange(min=0, max=3650)])
    max_age_days = IntegerField(_l("Waiting at most (days)"),
                                validators=[Optional(), NumberRange(min=0, max=3650)])
