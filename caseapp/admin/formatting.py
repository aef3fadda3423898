"""How the admin's lists and detail pages show values: codes as labels (the code in a
tooltip), money as Rp, yes/no, dates and UTC moments as Kota Bekasi reads them."""
from datetime import date, datetime

from flask_admin.model.typefmt import BASE_FORMATTERS
from flask_babel import gettext as _

from caseapp.i18n import coded, wib
from reports.formatting import rupiah


def code_labels(labels: dict):
    """A column formatter showing the label of the column's code; an unknown code as
    it is."""
    def formatter(view, context, model, name):
        code = view._get_field_value(model, name)
        return coded(labels.get(code, code), code)
    return formatter


def money(view, context, model, name):
    return rupiah(view._get_field_value(model, name))


def _yes_no(view, value, name) -> str:
    return _("Yes") if value else _("No")


def _day(view, value, name) -> str:
    return value.strftime("%d-%m-%Y")


def _moment(view, value, name) -> str:
    return wib(value)


# Flask-Admin's own (None empty, lists joined, ...) with ours; it takes the first type
# that matches: datetime before date (its subclass).
TYPE_FORMATTERS = {**BASE_FORMATTERS, bool: _yes_no, datetime: _moment, date: _day}
