"""The link to a case page, for lists that show fifty or a hundred cases (issue 16).

Werkzeug builds each link from its route (some 15 µs through Flask-Admin's blueprint),
and a list asks for the same link a hundred times with only the number changed. So the
link is built once per script root with a marker where the number goes, and each row's
number takes the marker's place: ``url_for`` still decides everything else.
"""
from flask import request, url_for

from caseapp.admin.kept import Kept

_MARK = 2_147_483_647  # a number no case has yet, only ever seen here
LIMIT = 64


class CaseLinks:
    """One app's case links (a Jinja global, ``case_link``)."""

    def __init__(self):
        self._parts = Kept(LIMIT)

    def __call__(self, application_id: int) -> str:
        """``url_for("cases.case", application_id=application_id)``."""
        head, tail = self._parts.get(request.script_root, _split)
        return f"{head}{int(application_id)}{tail}"


def _split() -> tuple[str, str]:
    head, tail = url_for("cases.case", application_id=_MARK).rsplit(str(_MARK), 1)
    return head, tail
