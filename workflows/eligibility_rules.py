"""The policy's rules over the facts about one worker, without touching the database.

One application's evaluation fetches its facts one query at a time
(``workflows.eligibility``); the renewal re-check fetches them for every
participant at once (``workflows.renewal``). Both apply these same rules, so a
renewal is judged exactly like an intake, except for the age: BPJS lets a member
who joined within the age limit continue (domain.md §1.5).
"""
from dataclasses import dataclass
from datetime import date

from models import PolicyVersion
from workflows.identity import blocking_failures, check_identity

# Sources of a payer list that only say "active at BPJS": for a continuing participant
# that is the city's own membership, not another payer.
ACTIVE_ONLY_SOURCES = frozenset({"BPJS_AKTIF"})
CONTINUING = "continuing member"


@dataclass(frozen=True)
class Facts:
    """What the rules look at: the worker's data and what the datasets hold about them."""

    nik: str
    kk_number: str
    birth_date: date
    sex: str
    category: str
    monthly_income: int
    dtsen_dataset: int | None
    dtsen_desil: int | None
    in_dtsen: bool
    other_kk_applications: tuple[int, ...]
    payer: str | None  # the payer list's source for this NIK, if listed


@dataclass(frozen=True)
class Cap:
    amount: int
    umk_year: int | None  # None: the policy's own cap
    program_year: int


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _rule(rule: str, passed: bool, value, expected) -> dict:
    return {"rule": rule, "passed": bool(passed), "value": value, "expected": expected}


def rules_for(facts: Facts, policy: PolicyVersion, cap: Cap, on: date, *,
              continuing: bool = False) -> list[dict]:
    """Every rule with the value seen and what the policy expected."""
    failures = blocking_failures(check_identity(facts.nik, facts.kk_number, facts.birth_date,
                                                facts.sex))
    age = age_on(facts.birth_date, on)
    desil = facts.dtsen_desil if facts.in_dtsen else None
    desil_ok = desil <= policy.max_desil if desil is not None else not policy.require_data_aktual
    payer = facts.payer if policy.exclude_other_payers else None
    if continuing and payer in ACTIVE_ONLY_SOURCES:
        payer = None
    other_kk = list(facts.other_kk_applications) if policy.one_per_kk else []
    return [
        _rule("identity", not failures, [c.rule for c in failures], []),
        _rule("category", facts.category in policy.category_list, facts.category,
              policy.category_list),
        _rule("age", True, age, CONTINUING) if continuing else
        _rule("age", policy.min_age <= age <= policy.max_age, age,
              [policy.min_age, policy.max_age]),
        {**_rule("income", facts.monthly_income <= cap.amount, facts.monthly_income,
                 cap.amount),
         "umk_year": cap.umk_year,
         "umk_stands_in": cap.umk_year not in (None, cap.program_year)},
        _rule("data_aktual", facts.in_dtsen or not policy.require_data_aktual,
              {"dataset": facts.dtsen_dataset, "found": facts.in_dtsen},
              "present" if policy.require_data_aktual else "not required"),
        _rule("desil", desil_ok, desil, policy.max_desil),
        _rule("one_per_kk", not other_kk, other_kk, [] if policy.one_per_kk else "not required"),
        _rule("other_payer", payer is None, payer,
              None if policy.exclude_other_payers else "not required"),
    ]
