"""What a search term is, the same in every box (the top bar, the lists of workers and
applications): 16 digits a NIK or KK number, fewer or more digits an application number
or KPJ, all exact and indexed; anything else part of a name. Digits never become a
substring search: that scans the table, and a few digits of a NIK (a region code) would
list everyone born or living there."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from caseapp.arguments import MAX_ID, bounded_int
from reports.search import applications_of, by_name, by_nik_or_kk, by_number_or_kpj, workers_with

MAX_QUERY = 100  # longer than any name, NIK or KPJ typed on purpose
MIN_NAME = 3     # trigrams: a shorter part of a name no index serves
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Term:
    identity: str | None = None  # 16 digits: NIK or KK
    number: str | None = None    # other digits: application number or KPJ
    name: str | None = None
    problem: str | None = None   # why it cannot be looked up


def read_term(query: str) -> Term:
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        return Term(problem=_("The search text may be at most %(n)d characters.", n=MAX_QUERY))
    digits = query.replace(" ", "")
    if _DIGITS.fullmatch(digits):
        return Term(identity=digits) if len(digits) == 16 else Term(number=digits)
    if len(query) < MIN_NAME:
        return Term(problem=_("Type at least %(n)d letters of the name.", n=MIN_NAME))
    return Term(name=query)


def _on_number(term: Term):
    return by_number_or_kpj(bounded_int(term.number, 1, MAX_ID), term.number)


def _on_worker(term: Term):
    return by_nik_or_kk(term.identity) if term.identity else by_name(term.name)


def joined_condition(term: Term):
    """For a query joining application and worker (the top bar)."""
    return _on_number(term) if term.number else _on_worker(term)


def worker_condition(term: Term):
    """For the workers' list: a number or KPJ finds the worker of that application."""
    return workers_with(_on_number(term)) if term.number else _on_worker(term)


def application_condition(term: Term):
    """For the applications' list: a NIK, KK or name finds that worker's applications."""
    return _on_number(term) if term.number else applications_of(_on_worker(term))
