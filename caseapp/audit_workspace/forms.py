"""Forms of the auditor workspace: GET filters without CSRF (they change nothing),
POST forms for what must stay out of URLs (a NIK, a purpose) or records an event."""
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from caseapp.forms import BaseForm
from workflows.messages import lazy_gettext as _l


class EventFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    actor = StringField(_l("Actor (username or system actor)"),
                        validators=[Optional(), Length(max=100)])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)])
    action_match = SelectField(_l("Action match"), default="prefix", choices=[
        SelectChoice("prefix", _l("starts with")), SelectChoice("exact", _l("exactly"))])
    entity_type = StringField(_l("Entity type"), validators=[Optional(), Length(max=64)])
    entity_id = StringField(_l("Entity ID"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From (WIB)"), validators=[Optional()])
    date_to = DateField(_l("To (WIB)"), validators=[Optional()])
    text = StringField(_l("Text (action, actor, entity ID, reason, changes)"),
                       validators=[Optional(), Length(min=2, max=100)])

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
