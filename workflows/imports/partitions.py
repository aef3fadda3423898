"""PostgreSQL keeps each DTSEN dataset in a partition of ``dtsen_record`` of its own
(migration 0030), filled while it is a table of its own without any index and then
attached, which builds its primary key in one sort: keeping two indexes row by row cost
ten times what storing the rows did. SQLite has one table: there the rows go into it
as they come.

The application's role may not create tables, so the owner's functions of migration
0030 make, attach and drop a run's tables (integer arguments only). Attaching takes a
SHARE UPDATE EXCLUSIVE lock on ``dtsen_record``, so eligibility checks read the data
aktual meanwhile; the foreign key it checks takes a SHARE ROW EXCLUSIVE lock on
``import_run`` until the import commits, so other imports wait that long to start.

Every writer of DTSEN rows (the import, the benchmarks' loaders) makes the dataset's
table here; a row for a dataset without one is refused by PostgreSQL.
"""
from sqlalchemy import Connection, delete, text

from models import DtsenRecord

PARTITIONED = DtsenRecord.__tablename__


def partition_name(dataset_id: int) -> str:
    """The name migration 0030's functions give a run's table."""
    return f"{PARTITIONED}_{int(dataset_id)}"


def is_partition(name: str) -> bool:
    """Whether a table seen in the database is one dataset's partition (the models
    declare only ``dtsen_record``; schema comparisons leave these out)."""
    prefix = f"{PARTITIONED}_"
    return name.startswith(prefix) and name[len(prefix):].isdigit()


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def new_table(connection: Connection, dataset_id: int) -> str:
    """The table that will hold one dataset's rows: on PostgreSQL a table shaped like
    ``dtsen_record``, empty, unindexed, not yet attached, its ``dataset_id`` defaulting
    to the run; on SQLite the one table."""
    if not _postgres(connection):
        return PARTITIONED
    return connection.execute(text("SELECT dtsen_dataset_table(:dataset)"),
                              {"dataset": dataset_id}).scalar_one()


def file_table(connection: Connection, dataset_id: int, cells: int) -> str:
    """PostgreSQL: an unlogged table of ``cells`` text columns (``c0``, ``c1``, ...) for
    the run's file as written, which PostgreSQL's workers can read together (a temporary
    table is one process's); ``attach`` drops it."""
    return connection.execute(text("SELECT dtsen_dataset_file(:dataset, :cells)"),
                              {"dataset": dataset_id, "cells": cells}).scalar_one()


def attach(connection: Connection, dataset_id: int) -> None:
    """Make the run's table (from ``new_table``) the partition of its dataset:
    PostgreSQL checks the foreign key and builds the primary key (one NIK once per
    dataset); this raises if either fails."""
    if _postgres(connection):
        connection.execute(text("SELECT dtsen_attach_dataset(:dataset)"),
                           {"dataset": dataset_id})


def drop(connection: Connection, dataset_id: int) -> None:
    """Drop the rows of a run that was never applied (PostgreSQL: its table)."""
    if _postgres(connection):
        connection.execute(text("SELECT dtsen_drop_dataset(:dataset)"), {"dataset": dataset_id})
    else:
        connection.execute(delete(DtsenRecord).where(DtsenRecord.dataset_id == dataset_id))
