"""The link to a case page, for lists that show fifty or a hundred cases (issue 16).

Werkzeug builds each link from its route (some 15 µs through Flask-Admin's blueprint),
and a list asks for the same link a hundred times with only the number changed. So the
link is built once a request with a marker where the number goes, and each row's number
takes the marker's place: ``url_for`` still decides everything else (the script root,
the rule).
"""
from flask import g, url_for

_MARK = 2_147_483_647  # a number no case has yet, only ever seen here


def case_link(application_id: int) -> str:
    """``url_for("cases.case", application_id=application_id)``."""
    parts = g.get("_case_link")
    if parts is None:
        parts = g._case_link = url_for("cases.case", application_id=_MARK).split(str(_MARK))
    return f"{parts[0]}{int(application_id)}{parts[1]}"
