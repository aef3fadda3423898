"""Forms and labels of the claims desk."""
from wtforms import (BooleanField, DateField, DateTimeLocalField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from caseapp.forms import BaseForm, RupiahField
from models.clock import JAKARTA
from workflows.claims.documents import DOCUMENT_LABELS
from workflows.claims.steps import STATE_LABELS
from workflows.messages import lazy_gettext as _l

KIND_LABELS = {"jkk": _l("Work accident (JKK)"), "jkm": _l("Death (JKM)")}
RELATION_LABELS = {"suami_istri": _l("Husband or wife"), "anak": _l("Child"),
                   "orang_tua": _l("Parent"), "saudara": _l("Sibling"),
                   "lainnya": _l("Other (named in the heir letter)")}
LABELS = {"kinds": KIND_LABELS, "states": STATE_LABELS, "relations": RELATION_LABELS,
          "documents": DOCUMENT_LABELS}
_CONFIRM = [DataRequired(message=_l("Tick the confirmation first."))]


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ClaimForm(BaseForm):
    kind = SelectField(_l("Kind of claim"), choices=_choices(KIND_LABELS))
    event_date = DateField(_l("Date of the accident or of death"), validators=[DataRequired()])
    event_time = TimeField(_l("Time of the accident (WIB; JKK only)"), validators=[Optional()])
    reported_at = DateTimeLocalField(_l("Reported to the desk at (WIB; empty = now)"),
                                     format="%Y-%m-%dT%H:%M", validators=[Optional()])
    description = TextAreaField(_l("What happened (kronologi)"),
                                validators=[Optional(), Length(max=2000)])
    late_reason = TextAreaField(_l("Why the report came later than 2 x 24 hours"),
                                validators=[Optional(), Length(max=2000)])
    heir_name = StringField(_l("Heir (ahli waris; JKM only)"),
                            validators=[Optional(), Length(max=200)])
    heir_relation = SelectField(_l("Relation to the deceased"),
                                choices=[SelectChoice("", "-")] + _choices(RELATION_LABELS),
                                validators=[Optional()])

    def reported_moment(self):
        """The typed wall-clock time is Jakarta time; None means now."""
        value = self.reported_at.data
        return None if value is None else value.replace(tzinfo=JAKARTA)


class DocumentForm(BaseForm):
    kind = SelectField(_l("Document"), choices=_choices(DOCUMENT_LABELS))


class SubmitForm(BaseForm):
    confirm = BooleanField(_l("I confirm the claim and its documents go to BPJS now."),
                           validators=_CONFIRM)


class PayoutForm(BaseForm):
    amount = RupiahField(_l("Amount paid (rupiah, from the BPJS reply)"),
                         validators=[DataRequired()])
    paid_on = DateField(_l("Date paid"), validators=[DataRequired()])
    reference = StringField(_l("BPJS reference"), validators=[DataRequired(), Length(max=80)])
    confirm = BooleanField(_l("I confirm the payout as BPJS reported it; it cannot be changed "
                              "afterwards."), validators=_CONFIRM)


class RejectForm(BaseForm):
    reason = TextAreaField(_l("BPJS's reason for refusing"),
                           validators=[DataRequired(), Length(max=2000)])
    confirm = BooleanField(_l("I confirm BPJS refused this claim; it cannot be changed "
                              "afterwards."), validators=_CONFIRM)
