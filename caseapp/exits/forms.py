"""What the exit pages read from their forms: the case page's termination, a refund
received from BPJS, the ticked participants of the desil list. The verbs check the
rules; these only turn what was typed into values, a typo into the verb's message."""
from datetime import date

from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from caseapp.forms import BaseForm, RupiahField
from workflows.messages import lazy_gettext as _l


def month_value(text: str | None) -> date | None:
    """``YYYY-MM`` (an ``<input type="month">``) as its first day, or None."""
    try:
        return date.fromisoformat((text or "").strip() + "-01")
    except ValueError:
        return None


def day_value(text: str | None) -> date | None:
    """``YYYY-MM-DD`` (an ``<input type="date">``), or None."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


class RefundForm(BaseForm):
    """A refund BPJS paid back for one line of the ledger."""

    amount = RupiahField(_l("Amount refunded (Rp)"), validators=[DataRequired()])
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    bpjs_reference = StringField(_l("BPJS reference (transfer or letter)"),
                                 validators=[DataRequired(), Length(max=80)])


class LedgerFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Status"), validators=[Optional()], default="", choices=[
        SelectChoice("", _l("All")), SelectChoice("owed", _l("Owed by BPJS")),
        SelectChoice("refunded", _l("Refunded"))])
    year = StringField(_l("Budget year"), validators=[Optional(), Length(max=4)])

    def chosen_year(self) -> int | None:
        text = (self.year.data or "").strip()
        return int(text) if text.isdigit() and 2000 <= int(text) <= 2200 else None
