"""Alembic environment: our engine and metadata, batch mode for SQLite."""
import logging

from alembic import context
from flask import current_app

from workflows.imports.partitions import is_partition

# Logging is the app's (caseapp/logs.py, set up by create_app before this runs): no
# fileConfig here, which would replace the app's handlers in a process that migrates.
config = context.config
logger = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db
target_metadata = database.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC timestamp type as a plain DateTime so migrations stay self-contained."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name, type_, parent_names) -> bool:
    """Leave DTSEN datasets' partitions out of comparisons: the models declare only
    their parent (workflows/imports/partitions.py)."""
    return not (type_ == "table" and is_partition(name))


def run_migrations_offline() -> None:
    context.configure(url=str(database.engine.url), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection") or database.engine

    def process(ctx, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    def configure_and_run(connection):
        context.configure(connection=connection, target_metadata=target_metadata,
                          process_revision_directives=process, render_as_batch=True,
                          render_item=render_item, include_name=include_name,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            configure_and_run(connection)
    else:
        configure_and_run(connectable)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
