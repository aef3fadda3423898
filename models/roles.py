"""The four roles of design.md; a user may hold several."""
from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    HEAD = "head"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_VALUES = tuple(r.value for r in Role)
