"""Reading what a page asks the database: the statements it sends and their plans
(PostgreSQL's EXPLAIN), for the tests that keep big tables from being scanned whole."""
import json
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def recorded(session):
    """Every statement sent on the test's connection (the app's sessions share it)."""
    statements = []
    connection = session.connection()

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def plan_nodes(session, statements, tables=("worker", "application"), *, analyze=False,
               starts=("SELECT",)):
    """The plan nodes of the statements beginning with one of ``starts`` that read
    ``tables`` (with ``analyze``, as run under EXPLAIN ANALYZE: actual rows and loops)."""
    connection = session.connection()
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    found = []
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith(starts) or \
                not any(f"FROM {t}" in statement or f"JOIN {t}" in statement for t in tables):
            continue
        (plan,), = connection.exec_driver_sql(explain + statement, parameters).all()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found += list(nodes(plan[0]["Plan"]))
    return found
