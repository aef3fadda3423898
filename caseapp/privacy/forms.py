"""Forms and labels of the data subject request pages."""
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from caseapp.forms import BaseForm
from models.clock import JAKARTA
from workflows.messages import lazy_gettext as _l

KIND_LABELS = {"access": _l("Access to the data and its processing (Pasal 32)"),
               "correction": _l("Correction of data"),
               "restriction": _l("Restriction of processing")}
STATE_LABELS = {"open": _l("Open"), "fulfilled": _l("Fulfilled"), "refused": _l("Refused")}
CHANNEL_LABELS = {"counter": _l("At the counter"), "letter": _l("Letter"),
                  "email": _l("E-mail"), "phone": _l("Phone")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class RequestForm(BaseForm):
    nik = StringField(_l("NIK of the data subject"),
                      validators=[DataRequired(), Regexp(r"^\s*\d{16}\s*$",
                                                         message=_l("Exactly 16 digits."))])
    kind = SelectField(_l("The request asks for"), choices=_choices(KIND_LABELS))
    requester_name = StringField(_l("Requester's name"),
                                 validators=[DataRequired(), Length(max=200)])
    channel = SelectField(_l("Received by"), choices=_choices(CHANNEL_LABELS))
    description = TextAreaField(_l("What is to be corrected or restricted"),
                                validators=[Optional(), Length(max=2000)])
    received_at = DateTimeLocalField(_l("Received at (WIB; empty = now)"),
                                     format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def received_moment(self):
        """The typed wall-clock time is Jakarta time; None means now."""
        value = self.received_at.data
        return None if value is None else value.replace(tzinfo=JAKARTA)


class ResolveForm(BaseForm):
    outcome = SelectField(_l("Outcome"), choices=[
        SelectChoice("fulfilled", _l("Fulfilled")),
        SelectChoice("refused", _l("Refused (state the grounds, Pasal 33)"))])
    note = TextAreaField(_l("Note (what was done, or the grounds for refusing)"),
                         validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("I confirm this answer; it cannot be changed afterwards."),
                           validators=[DataRequired(message=_l("Tick the confirmation first."))])


class LiftForm(BaseForm):
    note = TextAreaField(_l("Why processing may resume"),
                         validators=[DataRequired(message=_l("State why processing may resume.")),
                                     Length(max=2000)])
    confirm = BooleanField(_l("I confirm that the restriction ends now."),
                           validators=[DataRequired(message=_l("Tick the confirmation first."))])
