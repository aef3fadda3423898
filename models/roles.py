"""The roles of design.md, and the partner of issue 15; a user may hold several
(except admin and partner, which stand alone: workflows/users.py)."""
from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    HEAD = "head"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # A kelurahan operator or a partner office (Dinsos, Dinkop UMKM, Dishub, an ojol
    # aplikator): takes in and submits inside its scope only (models/partner.py).
    PARTNER = "partner"


ROLE_VALUES = tuple(r.value for r in Role)
