"""Words of the reports (translatable): steps of the flow, exception kinds."""
from workflows.messages import lazy_gettext as _l

FLOW_LABELS = {"received": _l("Received (first submission)"),
               "resubmitted": _l("Resubmitted after correction"),
               "returned": _l("Returned for correction"), "rejected": _l("Rejected"),
               "verified": _l("Verified"), "approved": _l("Approved"),
               "waitlisted": _l("Waitlisted"), "declined": _l("Declined"),
               "sent_back": _l("Sent back to verification"),
               "submitted_to_bpjs": _l("Submitted to BPJS"),
               "bpjs_rejected": _l("Rejected by BPJS"), "enrolled": _l("Enrolled"),
               "terminated": _l("Membership ended")}
EXCEPTION_LABELS = {"failed_login": _l("Failed sign-ins"),
                    "refused": _l("Refused actions recorded in the log"),
                    "import_rejected": _l("Rejected imports"),
                    "duplicate_override": _l("Possible duplicates declared not a duplicate")}
BATCH_STATUS_LABELS = {"generated": _l("not paid yet"), "paid": _l("paid, not reconciled"),
                       "reconciled": _l("reconciled")}
