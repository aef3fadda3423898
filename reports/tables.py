"""A report's tables in one neutral shape, so the PDF, the XLSX and the CSV of a
report show the same figures (each format renders these, none recomputes them)."""
from dataclasses import dataclass
from typing import Iterable, Sequence

KINDS = ("text", "int", "money", "decimal", "date", "datetime", "percent")


@dataclass(frozen=True)
class Col:
    label: str
    kind: str = "text"      # one of KINDS; drives the XLSX cell type and number format
    width: float = 14       # XLSX column width in characters


@dataclass
class Sheet:
    title: str
    columns: Sequence[Col]
    rows: Iterable[Sequence]    # may be a generator streaming from the database
