"""Forms of the notice pages: consent on the case page, the delivery log's filter."""
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp

from caseapp.forms import BaseForm
from workflows.messages import lazy_gettext as _l
from workflows.worker_corrections import PHONE, PHONE_RULE

CHANNEL_LABELS = {"sms": "SMS", "whatsapp": "WhatsApp"}
STAGE_LABELS = {
    "received": _l("Application received"), "approved": _l("Approved"),
    "kpj_issued": _l("KPJ card issued"), "lapse_risk": _l("Contributions overdue (lapse risk)"),
    "ended": _l("Membership ended"), "continue_self_payer": _l("Continue as a self-payer"),
}
STATUS_LABELS = {"queued": _l("Queued"), "sent": _l("Sent"), "failed": _l("Failed"),
                 "skipped": _l("Skipped")}
SKIP_LABELS = {"no_consent": _l("no consent"), "withdrawn": _l("consent withdrawn"),
               "ended": _l("membership ended before sending")}


def channel_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in CHANNEL_LABELS.items()]


class ConsentForm(BaseForm):
    channel = SelectField(_l("Notice channel"), choices=channel_choices())
    phone = StringField(_l("Phone number for notices"),
                        validators=[DataRequired(), Regexp(PHONE, message=PHONE_RULE)])


class ConfirmForm(BaseForm):
    """A button's form: the CSRF token only (the page asks to confirm)."""


class LogFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("All"))] + [SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    stage = SelectField(_l("Stage"), validators=[Optional()], choices=[
        SelectChoice("", _l("All"))] + [SelectChoice(k, v) for k, v in STAGE_LABELS.items()])
