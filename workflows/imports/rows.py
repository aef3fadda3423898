"""Reading an import file row by row into its problem report (BPJS bills, status files,
replies): the file is read to its end, so the report names every problem at once."""
from workflows.imports.spreadsheet import FileRefused, open_table
from workflows.messages import lazy_gettext as _l


def read_rows(file, file_name: str, columns, problems, read_row, progress=None, *,
              every: int) -> int:
    """Hand each row to ``read_row(number, cells)``; return the number of rows read.

    A refused file (type, header) or a row past the limits is a problem, not an
    exception: the caller checks ``problems``. ``progress`` hears the rows read every
    ``every`` rows and once at the end, as the page showing a long file counts them."""
    rows = 0
    try:
        table = open_table(file, file_name, columns)
    except FileRefused as exc:
        for p in exc.problems:
            problems.add(*p)
        return rows
    with table:
        try:
            for number, cells in table:
                rows += 1
                if progress is not None and rows % every == 0:
                    progress(rows)
                read_row(number, cells)
        except FileRefused as exc:
            for p in exc.problems:
                problems.add(*p)
    if progress is not None:
        progress(rows)
    return rows


class RowsByNik:
    """The well-formed rows of a file in which each NIK stands once: a later row with the
    same NIK is a problem that names the first, so both rows can be found."""

    def __init__(self, problems):
        self.rows: list = []
        self._problems = problems
        self._first_row: dict[str, int] = {}

    def add(self, number: int, nik: str | None, row) -> None:
        """``row`` is None where the row has problems; its NIK still counts."""
        first = self._first_row.setdefault(nik, number) if nik else number
        if first != number:
            self._problems.add(number, "nik", nik, _l(
                "This NIK already appears in row %(row)d.", row=first))
        elif row is not None:
            self.rows.append(row)
