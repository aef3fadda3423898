"""Forms of the auditor workspace: GET filters without CSRF (they change nothing),
POST forms for what must stay out of URLs (a NIK, a purpose) or records an event."""
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from caseapp.audit_workspace.labels import (ACTION_LABELS, ADMIN_PREFIX, ENTITY_LABELS,
                                            SYSTEM_ACTOR_LABELS)
from caseapp.forms import BaseForm
from caseapp.i18n import ROLE_LABELS
from workflows.messages import lazy_gettext as _l


def _everything(labels: dict) -> list[tuple[str, str]]:
    """A choice list of codes by their labels, "all" first."""
    return [("", str(_l("All")))] + sorted(((code, str(label)) for code, label in labels.items()),
                                          key=lambda choice: choice[1])


class CodeSelect(SelectField):
    """A choice list of codes that also takes a code it does not list (an older action,
    a system actor named in a link): that one is offered as it is, so the filter shown
    is the filter applied."""

    def __init__(self, label, **kwargs):
        super().__init__(label, validate_choice=False, **kwargs)

    def offer(self, choices: list[tuple[str, str]]) -> None:
        known = {value for value, _label in choices}
        given = [(self.data, self.data)] if self.data and self.data not in known else []
        self.choices = choices + given


class EventFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    actor = CodeSelect(_l("Actor"), validators=[Optional(), Length(max=100)])
    role = CodeSelect(_l("Role"), validators=[Optional(), Length(max=20)])
    action = CodeSelect(_l("Action"), validators=[Optional(), Length(max=64)])
    action_match = SelectField(_l("Action match"), default="prefix", choices=[
        SelectChoice("prefix", _l("starts with")), SelectChoice("exact", _l("exactly"))])
    entity_type = CodeSelect(_l("Entity type"), validators=[Optional(), Length(max=64)])
    entity_id = StringField(_l("Entity ID"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From (WIB)"), validators=[Optional()])
    date_to = DateField(_l("To (WIB)"), validators=[Optional()])
    # Three characters at least: PostgreSQL's trigram index needs a whole trigram.
    text = StringField(_l("Text (action, actor, entity ID, reason, changes)"),
                       validators=[Optional(), Length(min=3, max=100)])

    def __init__(self, formdata, *, accounts):
        """``accounts``: (username, full name) of every account, for the actor list."""
        super().__init__(formdata)
        people = {username: f"{full_name} ({username})" for username, full_name in accounts}
        self.actor.offer(_everything({**people, **SYSTEM_ACTOR_LABELS}))
        self.role.offer(_everything(ROLE_LABELS))
        self.action.offer(_everything({**ACTION_LABELS, **ADMIN_PREFIX}))
        self.entity_type.offer(_everything(ENTITY_LABELS))

    def validate_entity_id(self, field):
        if field.data and not self.entity_type.data:
            raise ValidationError(_l("Give the entity type as well."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class WorkerLookupForm(BaseForm):
    worker = StringField(_l("NIK or worker number"),
                         validators=[DataRequired(), Length(max=16)])


class EvidencePackForm(BaseForm):
    application_id = IntegerField(_l("Application number"),
                                  validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    # Its length rule is checked_purpose's, applied by the builder.
    purpose = TextAreaField(_l("Purpose (kept in the audit log)"), validators=[DataRequired()])
