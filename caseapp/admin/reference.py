"""Reference data the admin maintains (audited create/update/delete)."""

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from caseapp.admin.base import SecureModelView
from caseapp.arguments import MAX_BIGINT
from caseapp.cases.labels import CATEGORY_LABELS
from caseapp.i18n import coded
from models import Role
from workflows.budget import check_budget_year, check_quota_split
from workflows.messages import lazy_gettext as _l
from workflows.policy import check_policy_editable, check_policy_values

_READERS = (Role.ADMIN.value, Role.AUDITOR.value)
BUDGET_STATUS_LABELS = {"open": _l("Current"), "closed": _l("Closed")}
DIMENSION_LABELS = {"kecamatan": _l("Kecamatan (6-digit code)"),
                    "kelurahan": _l("Kelurahan (10-digit code)"), "category": _l("Category")}


def _categories(view, context, model, name):
    """The policy's category codes (comma-separated) as their labels."""
    return coded(", ".join(str(CATEGORY_LABELS.get(c, c)) for c in model.category_list),
                 model.categories)


def _quota_key(view, context, model, name):
    """A category split's key is a category code; a kecamatan's stays its code."""
    if model.dimension == "category":
        return coded(CATEGORY_LABELS.get(model.key, model.key), model.key)
    return model.key


class ReferenceView(SecureModelView):
    roles = _READERS
    write_roles = (Role.ADMIN.value,)
    allow_create = allow_edit = True


class KecamatanView(ReferenceView):
    column_list = ("code", "name")
    form_columns = ("code", "name")
    column_searchable_list = ("name", "code")
    column_labels = {"code": _l("Kemendagri code"), "name": _l("Name")}


class KelurahanView(ReferenceView):
    column_list = ("code", "name", "kecamatan")
    form_columns = ("code", "name", "kecamatan")
    column_searchable_list = ("name", "code")
    column_filters = ("kecamatan.name",)
    column_labels = {"code": _l("Kemendagri code"), "name": _l("Name"),
                     "kecamatan": _l("Kecamatan"), "kecamatan.name": _l("Kecamatan")}
    page_size = 60


class UmkRateView(ReferenceView):
    allow_delete = True
    column_list = ("year", "amount", "legal_basis")
    form_columns = ("year", "amount", "legal_basis")
    column_default_sort = ("year", True)
    column_money = ("amount",)
    column_labels = {"year": _l("Year"), "amount": _l("UMK (Rp)"),
                     "legal_basis": _l("Legal basis")}


class ContributionComponentView(ReferenceView):
    allow_delete = True
    column_list = ("program", "effective_from", "amount", "income_basis", "legal_basis")
    form_columns = column_list
    column_money = ("amount", "income_basis")
    column_labels = {"program": _l("Programme"), "effective_from": _l("Effective from"),
                     "amount": _l("Monthly amount (Rp)"), "income_basis": _l("Income basis (Rp)"),
                     "legal_basis": _l("Legal basis")}


class DocumentTypeView(ReferenceView):
    column_list = ("code", "name", "required", "active")
    form_columns = column_list
    column_labels = {"code": _l("Code"), "name": _l("Name"),
                     "required": _l("Required for submission"), "active": _l("Active")}


class PolicyVersionView(ReferenceView):
    """Perwal parameters. A version already used by an evaluation is frozen: a new
    rule needs a new version, so past decisions keep the rules they were made under."""

    column_list = ("id", "name", "effective_from", "effective_to", "categories", "min_age",
                   "max_age", "income_cap", "umk_fallback", "max_desil", "require_data_aktual",
                   "one_per_kk", "exclude_other_payers")
    column_details_list = column_list + ("legal_basis", "created_at")
    form_columns = ("name", "legal_basis", "effective_from", "effective_to", "categories",
                    "min_age", "max_age", "income_cap", "umk_fallback", "max_desil",
                    "require_data_aktual", "one_per_kk", "exclude_other_payers")
    column_default_sort = ("effective_from", True)
    column_money = ("income_cap",)
    column_formatters = {"categories": _categories}
    column_labels = {"id": _l("Version"), "name": _l("Name"), "legal_basis": _l("Legal basis"),
                     "effective_from": _l("Effective from"), "effective_to": _l("Effective to"),
                     "categories": _l("Categories (comma-separated)"), "min_age": _l("Minimum age"),
                     "max_age": _l("Maximum age"),
                     "income_cap": _l("Income cap (Rp; empty = UMK of the year)"),
                     "umk_fallback": _l("Until the year's UMK is entered, the last published "
                                        "UMK stands in"),
                     "max_desil": _l("Maximum desil"),
                     "require_data_aktual": _l("Must be in data aktual"),
                     "one_per_kk": _l("One participant per KK"),
                     "exclude_other_payers": _l("Exclude existing or otherwise-paid participants"),
                     "created_at": _l("Created at")}

    def on_model_change(self, form, model, is_created):
        if not is_created:
            check_policy_editable(self.session, model)
        check_policy_values(model)
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        check_policy_editable(self.session, model)
        super().on_model_delete(model)


class BudgetYearView(ReferenceView):
    """The year's DPA. Counters (committed, places, realised) and the status move only
    through the approval, payment and year-close verbs; here they are read-only."""

    roles = (Role.ADMIN.value, Role.AUDITOR.value, Role.HEAD.value)
    column_list = ("fiscal_year", "dpa_reference", "appropriation", "committed", "realised",
                   "quota", "places_used", "premium_per_month", "coverage_months", "status")
    # A year is closed by the head's year-close (workflows.year_close), never by an edit.
    form_columns = ("fiscal_year", "dpa_reference", "appropriation", "quota", "premium_per_month",
                    "coverage_months")
    column_details_list = column_list + ("closed_at", "released_at_close", "carried_to_next")
    column_codes = {"status": BUDGET_STATUS_LABELS}
    column_money = ("appropriation", "committed", "realised", "premium_per_month",
                    "released_at_close", "carried_to_next")
    column_labels = {"fiscal_year": _l("Fiscal year"), "dpa_reference": _l("DPA reference"),
                     "appropriation": _l("Appropriation (Rp)"), "committed": _l("Committed (Rp)"),
                     "realised": _l("Realised (Rp)"), "quota": _l("Quota (persons)"),
                     "places_used": _l("Places used"),
                     "premium_per_month": _l("Premium per person per month (Rp; empty = JKK + JKM)"),
                     "coverage_months": _l("Coverage months"), "status": _l("Status"),
                     "closed_at": _l("Closed at"),
                     "released_at_close": _l("Released at the close (Rp)"),
                     "carried_to_next": _l("Carried to the next year (Rp)")}

    def scaffold_form(self):
        """The premium may be left empty (the column may not): check_budget_year then
        fills in JKK + JKM on the UMK of the year, as the label says."""
        form_class = super().scaffold_form()
        form_class.premium_per_month = IntegerField(
            self.column_labels["premium_per_month"],
            validators=[Optional(), NumberRange(min=1, max=MAX_BIGINT)])
        return form_class

    def on_model_change(self, form, model, is_created):
        if is_created:
            model.committed, model.places_used, model.realised = 0, 0, 0
        check_budget_year(self.session, model)
        super().on_model_change(form, model, is_created)


class BudgetQuotaView(ReferenceView):
    roles = (Role.ADMIN.value, Role.AUDITOR.value, Role.HEAD.value)
    column_list = ("budget_year", "dimension", "key", "quota", "used")
    form_columns = ("budget_year", "dimension", "key", "quota")
    form_choices = {"dimension": list(DIMENSION_LABELS.items())}
    column_codes = {"dimension": DIMENSION_LABELS}
    column_formatters = {"key": _quota_key}
    column_labels = {"budget_year": _l("Fiscal year"), "dimension": _l("Split by"),
                     "key": _l("Kecamatan or kelurahan code, or category"),
                     "quota": _l("Quota (persons)"), "used": _l("Used")}

    def on_model_change(self, form, model, is_created):
        check_quota_split(model)
        super().on_model_change(form, model, is_created)
