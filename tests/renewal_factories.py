"""The datasets the renewal into 2027 re-checks the participants of 2026 against."""
import io
from datetime import date

from tests.factories import load_dtsen
from workflows.imports.datasets import import_participants


def dtsen_update(session, staff, rows, as_of: date = date(2026, 10, 1)):
    """Dinsos's quarterly DTSEN update holding (worker, desil) pairs."""
    return load_dtsen(session, staff["cw1"], rows, as_of=as_of)


def payer_list(session, staff, rows, as_of: date = date(2026, 10, 1)) -> None:
    """A payer list of (worker, sumber) pairs."""
    text = "nik,nama,sumber\n" + "".join(f"{w.nik},{w.full_name},{source}\n"
                                         for w, source in rows)
    result = import_participants(session, io.BytesIO(text.encode("utf-8")),
                                 file_name=f"peserta-{as_of}.csv", as_of=as_of,
                                 actor=staff["cw1"])
    assert result.applied, result.run.error_report
