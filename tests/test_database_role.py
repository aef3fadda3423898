"""The README's least-privilege database role (PostgreSQL): the application runs under
it, appends audit events through its normal verbs, and cannot change, delete or
truncate them, nor switch the triggers off, even when the triggers are not there to
stop it.

The SQL is read from README.md between the ``app-role-sql`` markers, so the README
and this test cannot drift apart; only the role, database and password are made
unique (roles are server-wide and CI or other runs may share the server).
"""
import re
import secrets
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from caseapp import create_app
from caseapp.extensions import db
from tests.conftest import committed_app
from tests.conftest_config import app_config
from tests.databases import require_postgres
from tests.factories import make_staff
from models import User
from tests.helpers import csrf_token, login
from tests.test_imports import dtsen_rows, run_import, write_csv
from workflows.actor import Actor
from workflows.audit import verify_chain
from workflows.imports.datasets import decide_held
from workflows.imports.partitions import partition_name
from workflows.reference import load_reference_data

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- app-role-sql:begin", "<!-- app-role-sql:end -->"
INSUFFICIENT_PRIVILEGE = "42501"


def readme_statements() -> list[str]:
    """The SQL statements of the README's block, comments removed."""
    readme = README.read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1, "README role SQL markers"
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    sql = re.search(r"```sql\n(.*?)```", block, re.S)
    assert sql, "a ```sql block between the README markers"
    lines = [re.sub(r"--.*$", "", line) for line in sql.group(1).splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def personalised(statements: list[str], role: str, database: str, password: str) -> list[str]:
    joined = "\n".join(statements)
    readme_role = re.search(r"CREATE ROLE (\w+)", joined).group(1)
    readme_database = re.search(r"ON DATABASE (\w+)", joined).group(1)
    out = []
    for statement in statements:
        statement = re.sub(rf"\b{readme_role}\b", role, statement)
        statement = re.sub(rf"\bDATABASE {readme_database}\b", f'DATABASE "{database}"',
                           statement)
        out.append(re.sub(r"PASSWORD '[^']*'", f"PASSWORD '{password}'", statement))
    return out


def _setup(session) -> None:
    load_reference_data(session, actor=Actor.system("test-setup"))
    make_staff(session)


@pytest.fixture
def app_role(backend, tmp_path):
    """A migrated throwaway database (owner: the test server's user) and the README's
    role on it, under a unique name; the role is dropped afterwards."""
    if backend != "postgresql":
        pytest.skip("database roles and privileges are PostgreSQL's")
    server = require_postgres()
    role, password = f"caseapp_app_{uuid.uuid4().hex[:12]}", secrets.token_hex(16)
    statements = readme_statements()
    assert any(s.startswith("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event") for s in statements)
    try:
        with committed_app(backend, tmp_path, "role", setup=_setup) as owner_app:
            owner_url = make_url(owner_app.config["DATABASE_URL"])
            owner = create_engine(owner_url)
            with owner.begin() as conn:
                for statement in personalised(statements, role, owner_url.database, password):
                    conn.exec_driver_sql(statement)
            try:
                yield SimpleNamespace(name=role, owner=owner, url=owner_url.set(
                    username=role, password=password).render_as_string(hide_password=False))
            finally:
                owner.dispose()
    finally:
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def _events(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT seq, actor_name, action, hash FROM audit_event ORDER BY seq"))]


def _chain_intact(engine) -> bool:
    with Session(engine) as session:
        return verify_chain(session).ok


def _refused(engine, sql: str) -> str:
    """The SQLSTATE with which the database refuses ``sql`` (nothing is committed)."""
    with engine.connect() as conn:
        with pytest.raises(DBAPIError) as refusal:
            conn.exec_driver_sql(sql)
        return refusal.value.orig.sqlstate


def test_the_app_role_appends_audit_events_through_the_verbs(app_role):
    before = _events(app_role.owner)
    app = create_app(app_config(DATABASE_URL=app_role.url))
    try:
        client = app.test_client()
        assert login(client, "cw1").status_code == 302
        response = client.post("/cases/new", data={
            "csrf_token": csrf_token(client, "/cases/new"), "nik": "3275010108900555",
            "kk_number": "3275010101999555", "full_name": "Pekerja Peran Basis Data",
            "birth_place": "Bekasi", "birth_date": "1990-08-01", "sex": "L",
            "address": "Jl. Uji 3", "rt": "001", "rw": "002", "kelurahan_code": "3275011001",
            "phone": "081234567890", "category": "pedagang", "occupation": "PKL",
            "monthly_income": "2000000", "intake_channel": "walk_in", "program_year": "2026"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context():
            assert db.engine.url.username == app_role.name  # it really ran as the role
    finally:
        db.state(app).engine.dispose()
    new = _events(app_role.owner)[len(before):]
    assert [seq for seq, *_ in new] == list(range(len(before) + 1, len(before) + len(new) + 1))
    assert {(actor, action) for _seq, actor, action, _hash in new} >= {
        ("cw1", "auth.login"), ("cw1", "worker.register"), ("cw1", "application.open")}, new
    assert _chain_intact(app_role.owner)


def test_the_app_role_imports_dtsen_extracts(app_role, tmp_path):
    """Under the role, which may create no table: a DTSEN extract checked by the
    database, one left to the parsers and a held one cancelled each make, attach or
    drop their partition through migration 0030's functions."""
    app = create_app(app_config(DATABASE_URL=app_role.url))
    leading_zero = dtsen_rows(2, start=20)
    leading_zero[0][0] = "0" + leading_zero[0][0][1:]  # only the parsers take it
    try:
        with app.app_context():
            staff = {"cw1": Actor.for_user(db.session.scalar(
                select(User).where(User.username == "cw1")), ip="127.0.0.1", request_id="t")}
            runs = []
            for name, rows, options in (("aktual.csv", dtsen_rows(10), {}),
                                        ("nol.csv", leading_zero, {"scope": "partial"}),
                                        ("sedikit.csv", dtsen_rows(2, start=40), {})):
                runs.append(run_import(db.session, staff, write_csv(tmp_path / name, rows),
                                       **options).run)
                db.session.commit()
            decide_held(db.session, runs[2].id, "cancel", actor=staff["cw1"])
            db.session.commit()
            assert db.engine.url.username == app_role.name
            statuses = [(run.status, run.row_count) for run in runs]
    finally:
        db.state(app).engine.dispose()
    assert statuses == [("applied", 10), ("applied", 2), ("cancelled", 2)]
    with app_role.owner.connect() as conn:
        partitions = conn.execute(text(
            "SELECT c.relname, count(r.*) FROM pg_inherits i JOIN pg_class c "
            "ON c.oid = i.inhrelid LEFT JOIN dtsen_record r ON r.dataset_id = "
            "substr(c.relname, 14)::int WHERE i.inhparent = 'dtsen_record'::regclass "
            "GROUP BY 1 ORDER BY 1")).all()
    assert partitions == [(partition_name(runs[0].id), 10), (partition_name(runs[1].id), 12)]


def test_update_delete_and_truncate_are_refused_by_privileges_alone(app_role):
    role = create_engine(app_role.url)
    try:
        with role.connect() as conn:  # the role reads and appends, see above
            assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0
        before = _events(app_role.owner)
        with app_role.owner.begin() as conn:
            for table in ("audit_event", "audit_checkpoint"):
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            states = conn.execute(text(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid IN "
                "('audit_event'::regclass, 'audit_checkpoint'::regclass) "
                "AND NOT tgisinternal")).all()
        assert len(states) == 4 and {state for _name, state in states} == {"D"}, states
        for sql in ("UPDATE audit_event SET reason = 'diubah' WHERE seq = 1",
                    "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)",
                    "TRUNCATE audit_event", "UPDATE audit_checkpoint SET signature = 'x'",
                    "DELETE FROM audit_checkpoint", "TRUNCATE audit_checkpoint"):
            assert _refused(role, sql) == INSUFFICIENT_PRIVILEGE, sql
        with app_role.owner.connect() as conn:  # without triggers the owner could
            changed = conn.exec_driver_sql(
                "UPDATE audit_event SET reason = 'diubah' WHERE seq = 1").rowcount
            conn.rollback()
        assert changed == 1
        assert _events(app_role.owner) == before and _chain_intact(app_role.owner)
    finally:
        role.dispose()


def test_the_app_role_cannot_switch_off_or_alter_the_protection(app_role):
    role = create_engine(app_role.url)
    try:
        with app_role.owner.connect() as conn:
            triggers = [name for (name,) in conn.execute(text(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"))]
        assert triggers, "migration 0006's triggers"
        attempts = [f"ALTER TABLE audit_event DISABLE TRIGGER {name}" for name in triggers] + [
            f"DROP TRIGGER {name} ON audit_event" for name in triggers] + [
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
            "ALTER TABLE audit_event DISABLE TRIGGER USER",
            "ALTER TABLE audit_event ADD COLUMN note text",
            "ALTER TABLE audit_event OWNER TO CURRENT_USER",
            "DROP TABLE audit_event",
            "DROP FUNCTION audit_event_refuse_change() CASCADE",
            "SET session_replication_role = replica"]
        for sql in attempts:
            assert _refused(role, sql) == INSUFFICIENT_PRIVILEGE, sql
        with app_role.owner.connect() as conn:
            states = conn.execute(text(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal")).all()
            privileges = conn.execute(text(
                "SELECT has_table_privilege(:r, 'audit_event', 'INSERT'), "
                "has_table_privilege(:r, 'audit_event', 'UPDATE'), "
                "has_table_privilege(:r, 'audit_event', 'DELETE'), "
                "has_table_privilege(:r, 'audit_event', 'TRUNCATE')"), {"r": app_role.name}
            ).one()
        assert {state for _name, state in states} == {"A"}, states  # ENABLE ALWAYS, still
        assert tuple(privileges) == (True, False, False, False)
    finally:
        role.dispose()
