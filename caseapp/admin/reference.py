"""Reference data the admin maintains (audited create/update/delete)."""
from flask_babel import lazy_gettext as _l

from caseapp.admin.base import SecureModelView
from models import Role

_READERS = (Role.ADMIN.value, Role.AUDITOR.value)


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
    column_labels = {"year": _l("Year"), "amount": _l("UMK (Rp)"),
                     "legal_basis": _l("Legal basis")}


class ContributionComponentView(ReferenceView):
    allow_delete = True
    column_list = ("program", "effective_from", "amount", "income_basis", "legal_basis")
    form_columns = column_list
    column_labels = {"program": _l("Programme"), "effective_from": _l("Effective from"),
                     "amount": _l("Monthly amount (Rp)"), "income_basis": _l("Income basis (Rp)"),
                     "legal_basis": _l("Legal basis")}
