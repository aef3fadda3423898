"""What every import returns and the per-row problem report a caseworker downloads."""
import csv
import io
from dataclasses import dataclass

from models import ImportRun
from workflows.imports.spreadsheet import Problem

REPORT_LIMIT = 1_000  # stored report rows; every problem is still counted
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun
    applied: bool  # this call applied the file
    duplicate_file: bool  # the same file had been applied before; ``run`` is that run

    @property
    def rejected(self) -> bool:
        return self.run.status == "rejected"


class ProblemReport:
    def __init__(self):
        self.count = 0
        self.kept: list[Problem] = []

    def add(self, row, column, value, message) -> None:
        self.count += 1
        if len(self.kept) < REPORT_LIMIT:
            self.kept.append(Problem(row, column, value, message))

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("baris", "kolom", "nilai", "pesan"))
        for p in self.kept:
            shown = "" if p.value is None else str(p.value)[:60]
            if shown.startswith(_FORMULA_START):  # keep Excel from running it as a formula
                shown = "'" + shown
            writer.writerow(("" if p.row is None else p.row, p.column or "", shown,
                             str(p.message)))
        return out.getvalue()
