"""Forms and labels of the complaint pages."""
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from caseapp.forms import BaseForm
from workflows.complaints import TEXT_MAX
from workflows.messages import lazy_gettext as _l

KIND_LABELS = {"pengaduan": _l("Complaint (pengaduan)"),
               "sanggahan": _l("Objection to a decision (sanggahan)")}
STATUS_LABELS = {"open": _l("Open"), "answered": _l("Answered"), "closed": _l("Closed")}
SHOW_LABELS = {"open": _l("Open"), "overdue": _l("Overdue"), "answered": _l("Answered"),
               "all": _l("All")}


class ComplaintForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    complainant_name = StringField(_l("Complainant's name"),
                                   validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Contact (phone or address)"),
                          validators=[DataRequired(), Length(max=100)])
    nik = StringField(_l("NIK (optional)"), validators=[
        Optional(), Regexp(r"^\s*\d{16}\s*$", message=_l("Exactly 16 digits."))])
    kelurahan_code = SelectField(_l("Kelurahan of the complainant"),
                                 validators=[DataRequired()])
    application_id = IntegerField(_l("Application number (optional)"),
                                  validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    text = TextAreaField(_l("The complaint or objection"),
                         validators=[DataRequired(), Length(max=TEXT_MAX)])
    received_on = DateField(_l("Received on (empty = today)"), validators=[Optional()])


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Answer to the complainant"),
                           validators=[DataRequired(), Length(max=TEXT_MAX)])
    confirm = BooleanField(_l("I confirm this answer; it cannot be changed afterwards."),
                           validators=[DataRequired(message=_l("Tick the confirmation first."))])
