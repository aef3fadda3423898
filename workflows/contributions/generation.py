"""Generating a payment batch: one contribution month per participant per month.

Set-based on purpose: each month is one ``INSERT ... SELECT`` over the covered
participants, so 200,000 people cost one statement per month, not 200,000 ORM
objects. Months a participant already has are skipped by the unique
(application_id, month) constraint (``ON CONFLICT DO NOTHING``), so generating a
month twice never bills it twice, even from two sessions at once. The budget
year's row is locked first: two caseworkers generating the same month queue, and
the second finds the rows.
"""
from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, PaymentBatch, Role
from reports.contributions import add_months
from workflows.actor import Actor
from workflows.audit import record
from workflows.budget import lock_year
from workflows.errors import Conflict, InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l

BLOCKS = (1, 3, 6, 12)  # BPU may pay monthly or for 3, 6 or 12 months (domain.md §1.6)
# A terminated membership is still paid for the months before its exit month.
COVERED_STATES = ("enrolled", "terminated")
_CM = ContributionMonth.__table__
# ON CONFLICT DO NOTHING on the unique (application_id, month) rather than NOT EXISTS:
# an anti-join against the table being filled can get a nested-loop plan that rescans
# it per row (PostgreSQL with statistics of an empty table: minutes, not seconds).
_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def covered_in(month: date, fiscal_year: int) -> tuple:
    """Conditions for an application the city pays for in ``month``."""
    app = Application
    return (app.program_year == fiscal_year, app.state.in_(COVERED_STATES),
            app.kpj.is_not(None), app.coverage_start < add_months(month, 1),
            or_(app.exit_month.is_(None), app.exit_month > month))


def _insert_month(session: Session, month: date, fiscal_year: int, premium: int,
                  batch_id: int) -> tuple[int, int]:
    """Insert the month's missing rows; return (created, covered participants)."""
    rows = select(Application.id, literal(month, Date), literal(premium, BigInteger),
                  literal("due", String), literal(batch_id, Integer)
                  ).where(*covered_in(month, fiscal_year))
    dialect = session.get_bind().dialect.name
    statement = _DIALECT_INSERT[dialect](_CM).from_select(
        ["application_id", "month", "amount", "status", "payment_batch_id"], rows
    ).on_conflict_do_nothing(index_elements=["application_id", "month"])
    # Drivers report an INSERT's row count only when asked to keep it (psycopg gives -1).
    created = session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    covered = session.scalar(select(func.count()).select_from(Application)
                             .where(*covered_in(month, fiscal_year)))
    return created, covered


def check_block(first_month: date, months: int) -> date:
    """The block's first day; a block stays inside one budget (calendar) year."""
    if months not in BLOCKS:
        raise InvalidInput(_l("Contributions are paid for 1, 3, 6 or 12 months at a time."))
    first_month = first_month.replace(day=1)
    if add_months(first_month, months - 1).year != first_month.year:
        raise InvalidInput(_l("%(n)d months from %(month)s run past December; the budget is "
                              "yearly, so generate the months of each year separately.",
                              n=months, month=f"{first_month:%Y-%m}"))
    return first_month


def generate_contributions(session: Session, *, first_month: date, months: int,
                           actor: Actor) -> PaymentBatch:
    """A new batch with the months not yet generated for everyone covered in them."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers generate contribution batches."))
    first_month = check_block(first_month, months)
    year = lock_year(session, first_month.year)
    premium = year.premium_per_month
    savepoint = session.begin_nested()  # an empty batch is taken back, nothing else written
    try:
        batch = PaymentBatch(fiscal_year=year.fiscal_year, first_month=first_month,
                             months=months, participant_count=0, total=0, status="generated",
                             created_by_id=actor.user_id)
        session.add(batch)
        session.flush()
        per_month = {}
        for offset in range(months):
            month = add_months(first_month, offset)
            per_month[f"{month:%Y-%m}"] = _insert_month(session, month, year.fiscal_year,
                                                        premium, batch.id)
        created = sum(c for c, _ in per_month.values())
        covered = sum(n for _, n in per_month.values())
        if not created:
            savepoint.rollback()
            if not covered:
                raise InvalidInput(_l("Nobody is enrolled and covered in these months; no "
                                      "batch was made."))
            raise Conflict(_l("Every contribution month of these %(n)d participant-months was "
                              "generated before; nothing new was created.", n=covered))
        refresh_batch_totals(session, batch)
        record(session, actor, "contributions.generate", entity=batch, diff={
            "first_month": [None, f"{first_month:%Y-%m}"], "months": [None, months],
            "participant_count": [None, batch.participant_count], "rows": [None, created],
            "skipped": [None, covered - created], "total": [None, batch.total],
            "premium_per_month": [None, premium],
            "per_month": {m: {"created": c, "skipped": n - c} for m, (c, n) in per_month.items()},
        })
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    return batch


def refresh_batch_totals(session: Session, batch: PaymentBatch) -> None:
    """Participants and rupiah of a batch, counted from its months."""
    participants, total = session.execute(
        select(func.count(func.distinct(_CM.c.application_id)),
               func.coalesce(func.sum(_CM.c.amount), 0))
        .where(_CM.c.payment_batch_id == batch.id)).one()
    batch.participant_count, batch.total = participants, int(total)  # PG sums to numeric
