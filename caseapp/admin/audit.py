"""The audit log as auditors read it: newest first, filterable, never editable."""
from flask_babel import lazy_gettext as _l

from caseapp.admin.base import ReadOnlyModelView
from models import Role


class AuditEventView(ReadOnlyModelView):
    roles = (Role.AUDITOR.value,)
    column_list = ("seq", "occurred_at", "actor_name", "actor_roles", "ip", "action",
                   "entity_type", "entity_id", "reason")
    column_details_list = column_list + ("request_id", "diff", "prev_hash", "hash")
    column_filters = ("action", "actor_name", "entity_type", "entity_id", "occurred_at")
    column_searchable_list = ("action", "actor_name", "entity_id")
    column_default_sort = ("seq", True)
    page_size = 50
    column_labels = {"seq": _l("Seq"), "occurred_at": _l("Time (UTC)"), "actor_name": _l("Actor"),
                     "actor_roles": _l("Roles"), "ip": "IP", "action": _l("Action"),
                     "entity_type": _l("Entity"), "entity_id": _l("Entity ID"),
                     "reason": _l("Reason"), "request_id": _l("Request ID"),
                     "diff": _l("Changes"), "prev_hash": _l("Previous hash"), "hash": "Hash"}
