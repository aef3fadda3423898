"""Concrete requests for any rule of the url_map, for sweeping every route.

Nothing here is specific to one route: arguments are filled from the tables their
names point at (``decree_id`` -> ``decree``, ``request_id`` -> ``data_subject_request``),
one object per kind, state and status where a table has such columns, so routes added
later are exercised without editing this file. Whatever had to be guessed (an
argument, or form data for a route without a plan in tests/sweep_forms.py) is in
``Variant.guesses`` and reported by the sweep.
"""
import io
import itertools
from dataclasses import dataclass, field

from sqlalchemy import inspect as sa_inspect
from werkzeug.routing import (AnyConverter, FloatConverter, IntegerConverter, PathConverter,
                              UUIDConverter)

from tests.sweep_forms import (PLANS, SESSION_PLANS, FileValue, first_row, generic_form,
                               model_form)
from tests.sweep_world import TOKEN, World

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_VARIANTS = 16

@dataclass
class Variant:
    """One concrete request for a rule."""

    rule: object
    method: str
    path: str
    data: dict
    guesses: list[str] = field(default_factory=list)  # arguments or data not known

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    def form(self) -> dict:
        """The form data with fresh file streams (a stream is used up by one request)."""
        return {k: ((io.BytesIO(v[0]), v[1]) if isinstance(v, FileValue) else v)
                for k, v in self.data.items()}

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.endpoint})"


# Arguments whose table is ambiguous or whose values are not rows.
def _explicit_values(prefix: str, arg: str, world: World, table_ids):
    from caseapp.imports.views import KINDS as IMPORT_KINDS
    from caseapp.reports.service import ROLES as REPORT_KINDS
    from workflows.bpjs.registration import FORMATS

    explicit = {
        ("bpjs", "batch_id"): lambda: table_ids("registration_batch"),
        ("contributions_page", "batch_id"): lambda: table_ids("payment_batch"),
        ("imports", "kind"): lambda: list(IMPORT_KINDS),
        ("reports", "kind"): lambda: list(REPORT_KINDS),
        ("bpjs", "file_format"): lambda: list(FORMATS),
    }
    by_name = {
        "application_id": lambda: list(world.by_state.values()),
        "file_format": lambda: ["csv", "xlsx"],
        "export_type": lambda: ["csv"],
        "token": lambda: [TOKEN],
        "filename": lambda: ["caseapp.css"],
    }
    maker = explicit.get((prefix, arg)) or by_name.get(arg)
    return maker() if maker else None


class Arguments:
    """Values for a rule's path arguments, from the database where the name says which
    table (``<x>_id`` -> table ``x`` or ``*_x``): one row per kind, state and status
    where the table has such columns, else its first rows."""

    def __init__(self, session, world: World):
        self.session, self.world = session, world
        self.connection = session.connection()
        inspector = sa_inspect(self.connection)
        self.columns = {t: [c["name"] for c in inspector.get_columns(t)]
                        for t in inspector.get_table_names()}
        self.keys = {t: inspector.get_pk_constraint(t)["constrained_columns"]
                     for t in self.columns}

    def _sql(self, sql: str) -> list:
        return [tuple(r) for r in self.connection.exec_driver_sql(sql).all()]

    def table_ids(self, table: str, *, with_application: bool = False) -> list:
        key = self.keys[table][0]
        extra = ", application_id" if with_application else ""
        groups = [c for c in ("kind", "state", "status") if c in self.columns[table]]
        if groups:
            rows = self._sql(f"SELECT {key}{extra} FROM {table} WHERE {key} IN "
                             f"(SELECT min({key}) FROM {table} GROUP BY {', '.join(groups)}) "
                             f"ORDER BY {key}")
        else:
            rows = self._sql(f"SELECT {key}{extra} FROM {table} ORDER BY {key} LIMIT 3")
        return rows if with_application else [r[0] for r in rows]

    def tables_for(self, arg: str) -> list[str]:
        if not arg.endswith("_id"):
            return []
        stem = arg[:-3]
        return [t for t in sorted(self.columns)
                if (t == stem or t.endswith("_" + stem)) and len(self.keys[t]) == 1]

    def variants(self, rule) -> tuple[list[dict], list[str]]:
        """Dicts of argument values for ``rule`` and the arguments that were guessed."""
        prefix = rule.endpoint.split(".")[0]
        args, guesses = sorted(rule.arguments - set(rule.defaults or {})), []
        combos: list[dict] = [{}]
        if "application_id" in args:
            # A child row of an application goes with its own application.
            for arg in args:
                tables = [t for t in self.tables_for(arg) if arg != "application_id"
                          and "application_id" in self.columns[t]]
                if tables and _explicit_values(prefix, arg, self.world, self.table_ids) is None:
                    pairs = self.table_ids(tables[0], with_application=True)
                    combos = [{arg: pk, "application_id": app} for pk, app in pairs]
                    break
        for arg in args:
            if combos and arg in combos[0]:
                continue
            values = _explicit_values(prefix, arg, self.world, self.table_ids)
            if values is None:
                tables = self.tables_for(arg)
                values = self.table_ids(tables[0]) if len(tables) == 1 else None
                if len(tables) > 1:
                    guesses.append(f"{arg}: ambiguous tables {tables}, took {tables[0]}")
                    values = self.table_ids(tables[0])
            if not values:
                values = [_fallback(rule._converters[arg])]
                guesses.append(f"{arg}={values[0]!r} (no known value)")
            combos = [{**c, arg: v} for c, v in itertools.product(combos, values)]
        return combos[:MAX_VARIANTS], guesses


def _fallback(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-4000-8000-000000000000"
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0] if hasattr(converter, "items") else "x"
    if isinstance(converter, PathConverter):
        return "x"
    return "x"



def model_views(app) -> dict:
    from flask_admin.model import BaseModelView
    return {view.endpoint: view for view in app.extensions["caseapp_admin"]._views
            if isinstance(view, BaseModelView)}


FLASK_ADMIN_WRITES = ("create_view", "edit_view", "delete_view", "action_view",
                      "ajax_update")


def model_view_variants(app, session, view, rule, method: str) -> list[Variant]:
    """Concrete requests for a Flask-Admin model view's own write routes."""
    from flask import url_for

    name = rule.endpoint.split(".", 1)[1]
    if method == "GET" or name not in FLASK_ADMIN_WRITES:
        return []  # another exposed method: the generic path
    row = first_row(session, view.model)
    guesses = [] if row is not None else [f"{view.endpoint}: no row, id=1"]
    pk = str(view.get_pk_value(row)) if row is not None else "1"
    with app.test_request_context():
        path = url_for(rule.endpoint)
    if name == "create_view":
        return [Variant(rule, method, path, model_form(app, view, row, create=True), guesses)]
    if name == "edit_view":
        return [Variant(rule, method, f"{path}?id={pk}", model_form(app, view, row, create=False),
                        guesses)]
    if name == "delete_view":
        return [Variant(rule, method, path, {"id": pk}, guesses)]
    if name == "action_view":
        actions = [a for a, _ in getattr(view, "_actions", [])] + ["delete"]
        return [Variant(rule, method, path, {"action": a, "rowid": [pk]}, guesses)
                for a in dict.fromkeys(actions)]
    if name == "ajax_update":
        columns = list(view.column_editable_list or view.column_list or ())[:1]
        value = model_form(app, view, row, create=False).get(columns[0], "x") if columns else ""
        return [Variant(rule, method, path, {"list_form_pk": pk, **(
            {columns[0]: value} if columns else {})}, guesses)]
    return []



def write_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.methods & set(WRITE_METHODS)]
    return sorted(rules, key=lambda r: (r.endpoint, r.rule))


def read_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    return sorted(rules, key=lambda r: (r.endpoint, r.rule))


def variants_for(app, session, world: World, arguments: Arguments, rule,
                 methods=WRITE_METHODS) -> list[Variant]:
    """Every concrete request the sweep sends for ``rule``, one per method of ``methods``."""
    prefix = rule.endpoint.split(".")[0]
    views = model_views(app)
    out = []
    for method in (m for m in methods if m in rule.methods):
        if prefix in views:
            made = model_view_variants(app, session, views[prefix], rule, method)
            if made:
                out += made
                continue
        combos, guesses = arguments.variants(rule)
        for args in combos:
            built = rule.build(args, append_unknown=False)
            path = built[1] if built else rule.rule
            plan = PLANS.get(rule.endpoint)
            if method == "GET":
                data, missing = {}, []
            elif plan is not None:
                data, missing = plan(world, args), []
            elif rule.endpoint in SESSION_PLANS:
                data, missing = SESSION_PLANS[rule.endpoint](world, args, session), []
            else:
                data, missing = generic_form(world), ["form data: generic (no plan)"]
            if prefix in views and "?" not in path:
                row = first_row(session, views[prefix].model)
                if row is not None:
                    path += f"?id={views[prefix].get_pk_value(row)}"
            out.append(Variant(rule, method, path, data, guesses + missing))
    return out
