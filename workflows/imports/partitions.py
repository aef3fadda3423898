"""PostgreSQL keeps each DTSEN dataset in a partition of ``dtsen_record`` of its own
(migration 0030), filled while it is a table of its own without any index and then
attached, which builds its primary key in one sort: keeping two indexes row by row cost
ten times what storing the rows did. Attaching takes only a
SHARE UPDATE EXCLUSIVE lock on ``dtsen_record``, so eligibility checks read the data
aktual meanwhile. SQLite has one table: there the rows go into it as they come.

Every writer of DTSEN rows (the import, the benchmarks' loaders) makes the dataset's
table here; a row for a dataset without one is refused by PostgreSQL.
"""
from sqlalchemy import Connection, text

from models import DtsenRecord

PARTITIONED = DtsenRecord.__tablename__


def partition_name(dataset_id: int) -> str:
    return f"{PARTITIONED}_{int(dataset_id)}"


def is_partition(name: str) -> bool:
    """Whether a table seen in the database is one dataset's partition (the models
    declare only ``dtsen_record``; schema comparisons leave these out)."""
    prefix = f"{PARTITIONED}_"
    return name.startswith(prefix) and name[len(prefix):].isdigit()


def new_table(connection: Connection, dataset_id: int) -> str:
    """The table that will hold one dataset's rows: on PostgreSQL a table shaped like
    ``dtsen_record``, empty, unindexed and not yet attached; on SQLite the one table."""
    if connection.dialect.name != "postgresql":
        return PARTITIONED
    name = partition_name(dataset_id)
    # The CHECK spares ATTACH a reading of every row to prove they belong there.
    connection.execute(text(
        f"CREATE TABLE {name} (LIKE {PARTITIONED} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
        f"CONSTRAINT {name}_dataset CHECK (dataset_id = {int(dataset_id)}))"))
    return name


def attach(connection: Connection, table: str, dataset_id: int) -> None:
    """Make ``table`` (from ``new_table``) the partition of its dataset: PostgreSQL
    checks its rows belong there, builds the primary key (one
    NIK once per dataset) and the foreign key; this raises if any fails."""
    if table != PARTITIONED:
        connection.execute(text(f"ALTER TABLE {PARTITIONED} ATTACH PARTITION {table} "
                                f"FOR VALUES IN ({int(dataset_id)})"))
