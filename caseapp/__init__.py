"""The web and command-line layer: the application factory."""
import uuid
from pathlib import Path

from flask import Flask, g

from caseapp import arguments, health, logs, request_log
from caseapp.config import load_config
from caseapp.extensions import csrf, db, limiter, migrate
from caseapp.private_files import keep_private
from workflows.audit import masking
from workflows.imports import spreadsheet

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    overrides = overrides or {}
    app.config.update(load_config(app.instance_path, overrides))
    app.config.update(overrides)
    logs.configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    keep_private(app.config, app.instance_path)
    masking.configure(app.config["AUDIT_MASK_KEY"])
    spreadsheet.configure(spreadsheet.Limits(
        columns=app.config["IMPORT_MAX_COLUMNS"], rows=app.config["IMPORT_MAX_ROWS"],
        header_chars=app.config["IMPORT_MAX_HEADER_CHARS"],
        cell_chars=app.config["IMPORT_MAX_CELL_CHARS"],
        inflated_bytes=app.config["IMPORT_MAX_INFLATED_BYTES"],
        shared_strings_bytes=app.config["IMPORT_MAX_SHARED_STRINGS_BYTES"]))

    @app.before_request  # first, so every event of the request (a session ending) has it
    def _request_id():
        g.request_id = uuid.uuid4().hex

    request_log.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)

    from caseapp import (i18n, auth, admin, body_limits, checkpointing, cli, errors, jobs,
                         security_headers)

    arguments.init_app(app)  # before the blueprints: their rules bind its converter
    i18n.init_app(app)
    auth.init_app(app)
    jobs.init_app(app)
    admin.init_app(app)
    cli.init_app(app)
    errors.init_app(app)
    body_limits.init_app(app)
    checkpointing.init_app(app)
    security_headers.init_app(app)
    health.init_app(app)

    return app
