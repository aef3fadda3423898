"""Parsing one cell of an imported file into the value the database stores.

Each parser takes what the reader produced (a ``str`` from CSV; ``str``, ``int``,
``float``, ``datetime`` or ``None`` from XLSX) and returns the clean value or
raises ``CellError`` with a message for the per-row report. The common case (a
well-formed string) is checked first because these run millions of times.

NIK and KK numbers are refused when they arrive as numbers: Excel keeps only 15
significant digits, so a 16-digit NIK typed into a General or Number cell has
already lost its last digit (3275011234567891 becomes 3.27501123456789E+15) and
cannot be repaired here. The only fix is a column formatted as Text.
"""
import re
from datetime import date, datetime

from models import clock
from models.imports import PARTICIPANT_SOURCES
from workflows.messages import lazy_gettext as _l

_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]*)?(?:[eE][+-]?[0-9]+)?$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00)?)?$")
_DMY_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_EARLIEST_BIRTH = date(1900, 1, 1)
MAX_NAME = 200


class CellError(ValueError):
    """One cell cannot be used; ``message`` is shown to the user next to the row number."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _id_number(value, label: str) -> str:
    if type(value) is str:
        text = value.strip()
        if len(text) == 16 and text.isascii() and text.isdigit():
            return text
    if _is_number(value):
        raise CellError(_l("%(label)s is stored as a number, which loses digits. Format the "
                           "column as Text in the spreadsheet and type the numbers again.",
                           label=label))
    text = "".join(_text(value).split()).lstrip("'")
    if not text:
        raise CellError(_l("%(label)s is empty.", label=label))
    if len(text) == 16 and text.isascii() and text.isdigit():
        return text
    if _SCIENTIFIC.match(text) and not text.isdigit():
        raise CellError(_l("%(label)s was saved as a number (%(value)s), which loses digits. "
                           "Format the column as Text in the spreadsheet and type the numbers "
                           "again.", label=label, value=text))
    raise CellError(_l("%(label)s must be exactly 16 digits.", label=label))


def parse_nik(value) -> str:
    return _id_number(value, "NIK")


def parse_kk(value) -> str:
    return _id_number(value, "no_kk")


def parse_date(value) -> date:
    """YYYY-MM-DD, DD/MM/YYYY, or a cell Excel itself knows to be a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if _is_number(value):
        raise CellError(_l("The date is a plain number. Format the cell as a date, or write "
                           "it as YYYY-MM-DD."))
    text = _text(value)
    if not text:
        raise CellError(_l("The date is empty."))
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DMY_DATE.match(text)
        if not match:
            raise CellError(_l("Write the date as YYYY-MM-DD or DD/MM/YYYY."))
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(_l("%(value)s is not a date that exists.", value=text)) from None


def parse_birth_date(value) -> date:
    born = parse_date(value)
    if not _EARLIEST_BIRTH <= born <= clock.today():
        raise CellError(_l("A birth date must lie between 1900 and today."))
    return born


def parse_sex(value) -> str:
    text = _text(value).upper()
    if text not in ("L", "P"):
        raise CellError(_l("jenis_kelamin must be L or P."))
    return text


def parse_kelurahan_code(value) -> str:
    """The 10-digit Kemendagri code; 32.75.07.1003 is accepted and stored as 3275071003."""
    text = _text(value).replace(".", "").replace(" ", "")
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        raise CellError(_l("kode_kelurahan must be the 10-digit Kemendagri code, "
                           "e.g. 3275071003."))
    return text


def parse_desil(value) -> int:
    text = _text(value)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10:
        raise CellError(_l("desil must be a whole number from 1 to 10."))
    return int(text)


def parse_name(value) -> str:
    text = " ".join((value if type(value) is str else _text(value)).split())
    if not text:
        raise CellError(_l("The name is empty."))
    if len(text) > MAX_NAME:
        raise CellError(_l("The name is longer than %(n)d characters.", n=MAX_NAME))
    return text


def parse_source(value) -> str:
    text = _text(value).upper()
    if text not in PARTICIPANT_SOURCES:
        raise CellError(_l("sumber must be one of %(sources)s.",
                           sources=", ".join(PARTICIPANT_SOURCES)))
    return text
