"""Numbers and dates a request carries, bounded before they reach a query.

Whatever is in a URL or a form is typed by a person or a script. A number a database
column cannot hold makes the query raise (SQLite: OverflowError past 2**63 - 1;
PostgreSQL: "integer out of range" past 2**31 - 1 for our INTEGER keys), and a year
past 9999 or before 1 makes ``date()`` raise; PostgreSQL refuses NUL in any text: each
was a 500. Here they become what an unknown value is: no such record (404), the page's
default, or a clear 400/422.
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter

from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l

MAX_ID = 2**31 - 1      # PostgreSQL INTEGER: every primary key except the audit seq
MAX_BIGINT = 2**63 - 1  # BIGINT: the audit seq, money
YEARS = (2000, 2999)    # a programme year outside is a typo, never a year to show


class IdConverter(IntegerConverter):
    """``<int:...>`` everywhere: an id no key can hold is no record, a 404 like any
    other unknown id (``<int(max=...):...>`` for a BIGINT key)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app) -> None:
    """Before any rule is added: a converter is bound when its rule is."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)


def _refuse_nul() -> None:
    """NUL is in no text a person types, and PostgreSQL refuses it in any text value
    (SQLite stores it): one 400 here rather than an error in whichever query meets it
    first (a list search, a lookup by code, the audit event of a refusal)."""
    texts = [request.path, *(request.view_args or {}).values()]
    for values in (request.args, request.form):
        texts += [text for pair in values.items(multi=True) for text in pair]
    texts += [upload.filename or "" for _, upload in request.files.items(multi=True)]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        abort(400)


def bounded_int(value, low: int, high: int) -> int | None:
    """``value`` as an int in [low, high], else None (unreadable, too long, out of range)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):  # ValueError also past Python's 4300 digits
        return None
    return number if low <= number <= high else None


def int_arg(name: str, default: int | None = None, *, low: int = 1,
            high: int = MAX_ID) -> int | None:
    """The query or form value ``name`` as an int in [low, high] (an id by default),
    else ``default``."""
    number = bounded_int(request.values.get(name, ""), low, high)
    return default if number is None else number


def year_arg(default: int, name: str = "year") -> int:
    """The programme year the request asks for, else ``default``."""
    return int_arg(name, default, low=YEARS[0], high=YEARS[1])


def posted_ids(name: str) -> list[int]:
    """The record ids a form posts under ``name`` (ticked boxes). A value that is no id
    refuses the whole request (422) rather than acting on part of a tampered form."""
    ids = [bounded_int(v, 1, MAX_ID) for v in request.form.getlist(name)]
    if None in ids:
        raise InvalidInput(_l("The form named a record that does not exist; reload the "
                              "page and try again."))
    return ids
