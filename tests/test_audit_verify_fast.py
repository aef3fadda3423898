"""The parallel walk and the server's screen (PostgreSQL) name the same first bad seq
as the row-by-row walk, at chunk boundaries too, and the incremental verify trusts only
checkpoints that hold."""
import pytest
from sqlalchemy import event, func, select, text

from models import AuditCheckpoint, AuditEvent
from tests.helpers import tamper
from tests.plans import nodes, recorded
from workflows.audit import record, verify_chain
from workflows.audit.incremental import verify_since_checkpoint
from workflows.audit.server_screen import ALTERED
from workflows.audit.verify_reference import verify_chain_reference

CHUNK = 4
PARALLEL = {"batch_size": CHUNK, "workers": 2, "parallel_min": 0}
SCREENED = {"batch_size": CHUNK, "workers": 1, "screen_min": 0}
MODES = [pytest.param(PARALLEL, id="parallel"),
         pytest.param({"batch_size": CHUNK, "workers": 1}, id="in-process"),
         pytest.param(SCREENED, id="screened")]


def _events(session, staff, n=12) -> int:
    for i in range(n):
        record(session, staff["audit1"], "test.event", reason=f"isi {i}",
               diff={"n": [i, i + 1], "nama": [None, "Siti Ümmü"]})
    session.flush()
    return session.scalar(select(func.max(AuditEvent.seq)))


def _chunk_first(last: int) -> int:
    """A seq that opens a chunk (chunks start at seq 1) well inside the chain."""
    return ((last - 2 * CHUNK) // CHUNK) * CHUNK + 1


def _same_verdict(session, options, expected_seq=None):
    fast, old = verify_chain(session, **options), verify_chain_reference(session)
    assert fast == old
    if expected_seq is not None:
        assert not fast.ok and fast.first_bad_seq == expected_seq
    return fast


@pytest.mark.parametrize("options", MODES)
def test_a_valid_chain_gives_the_old_verdict(session, staff, options):
    last = _events(session, staff)
    verdict = _same_verdict(session, options)
    assert verdict.ok and verdict.head_seq == last and verdict.events == last
    seen = []
    verify_chain(session, progress=seen.append, **options)
    assert seen[-1] == last and seen == sorted(seen)


@pytest.mark.parametrize("options", MODES)
@pytest.mark.parametrize("where", ["first", "last"])
def test_an_edit_at_a_chunk_boundary_is_named(session, staff, options, where):
    target = _chunk_first(_events(session, staff)) + (0 if where == "first" else CHUNK - 1)
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=target)
    _same_verdict(session, options, target)


@pytest.mark.parametrize("options", MODES)
def test_a_broken_link_between_chunks_is_named(session, staff, options):
    target = _chunk_first(_events(session, staff))
    tamper(session, "UPDATE audit_event SET prev_hash = :h WHERE seq = :s", h="e" * 64,
           s=target)
    verdict = _same_verdict(session, options, target)
    assert "prev_hash" in verdict.problem


@pytest.mark.parametrize("options", MODES)
def test_a_seq_gap_is_named(session, staff, options):
    target = _chunk_first(_events(session, staff)) + CHUNK - 1
    tamper(session, "DELETE FROM audit_event WHERE seq = :s", s=target)
    verdict = _same_verdict(session, options, target)
    assert "missing" in verdict.problem


@pytest.mark.parametrize("options", [PARALLEL, SCREENED], ids=["parallel", "screened"])
def test_several_problems_name_the_first(session, staff, options):
    first = _chunk_first(_events(session, staff, 20))
    tamper(session, "UPDATE audit_event SET reason = 'x' WHERE seq = :s", s=first + CHUNK + 1)
    tamper(session, "DELETE FROM audit_event WHERE seq = :s", s=first + 2 * CHUNK)
    tamper(session, "UPDATE audit_event SET action = 'x' WHERE seq = :s", s=first + 2)
    _same_verdict(session, options, first + 2)


@pytest.mark.parametrize("sql", ["DELETE FROM audit_event WHERE seq = :s",
                                 "UPDATE audit_event SET seq = seq + 100 WHERE seq = :s"])
def test_a_removed_or_moved_last_row_is_named_after_a_screen(session, staff, sql):
    last = _events(session, staff)
    tamper(session, sql, s=last)
    verdict = _same_verdict(session, SCREENED)
    assert not verdict.ok


def test_the_screen_alone_clears_an_intact_chain_on_postgresql(session, staff, backend):
    """No row reaches Python: the server rebuilt every row's canonical text byte for
    byte (non-ASCII names, quotes, new lines, nulls) and its hash matched."""
    if backend != "postgresql":
        pytest.skip("the screen runs inside PostgreSQL")
    record(session, staff["audit1"], "test.event", reason='kutip " garis\nmiring \\ \t',
           entity_type="worker", entity_id="7", diff={"nama": [None, "Siti Ümmü 😀"]})
    last = _events(session, staff)
    statements = []
    connection = session.connection()
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(connection, "before_cursor_execute", listen)
    try:
        verdict = verify_chain(session, **SCREENED)
    finally:
        event.remove(connection, "before_cursor_execute", listen)
    assert verdict.ok and verdict.events == last
    assert not [s for s in statements if "audit_event.diff" in s]


def test_a_diff_written_another_way_is_judged_by_python(session, staff):
    """The same JSON with spaces: the server doubts the row, Python finds it intact."""
    last = _events(session, staff)
    tamper(session, "UPDATE audit_event SET diff = replace(diff, ':', ': ') WHERE seq = :s",
           s=last - 3)
    verdict = _same_verdict(session, SCREENED)
    assert verdict.ok and verdict.events == last


# --- incremental ---------------------------------------------------------------------

def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def _signed(app, session, staff, after=6) -> tuple[int, int]:
    """A signed checkpoint with ``after`` events behind it: (checkpoint seq, head seq)."""
    _events(session, staff, 6)
    session.commit()
    assert _cli(app, "keygen").exit_code == 0
    assert _cli(app, "checkpoint", "--as", "audit1").exit_code == 0
    signed = session.scalar(select(func.max(AuditCheckpoint.seq)))
    last = _events(session, staff, after)
    session.commit()
    return signed, last


def _since(session, **options):
    from caseapp.audit_keys import trusted_key
    return verify_since_checkpoint(session, trusted_key=trusted_key(), **options)


def test_incremental_checks_only_from_the_checkpoint(app, session, staff, signing):
    signed, last = _signed(app, session, staff)
    with app.app_context():
        verdict, checkpoints = _since(session, **PARALLEL)
    assert checkpoints.ok and verdict.ok and verdict.since_seq == signed
    assert verdict.events == last - signed + 1 and verdict.head_seq == last
    assert verdict.head_hash == verify_chain(session).head_hash
    result = _cli(app, "verify", "--since-checkpoint")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: audit chain intact since signed checkpoint seq "
                                    f"{signed}")


@pytest.mark.parametrize("offset", [1, "last"])
def test_incremental_names_an_edit_after_the_checkpoint(app, session, staff, signing, offset):
    signed, last = _signed(app, session, staff)
    target = last if offset == "last" else signed + offset
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=target)
    session.commit()
    with app.app_context():
        verdict, _ = _since(session, **PARALLEL)
    assert not verdict.ok and verdict.first_bad_seq == target
    result = _cli(app, "verify", "--since-checkpoint")
    assert result.exit_code == 1 and f"BROKEN at seq {target}" in result.output


def test_incremental_recomputes_the_checkpoint_row(app, session, staff, signing):
    """Its content edited, its stored (signed) hash left alone."""
    signed, _ = _signed(app, session, staff)
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=signed)
    session.commit()
    result = _cli(app, "verify", "--since-checkpoint")
    assert result.exit_code == 1 and f"BROKEN at seq {signed}:" in result.output


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET hash = :h WHERE seq = :s",  # the signed row's hash replaced
    "UPDATE audit_checkpoint SET head_hash = :h WHERE seq = :s"])  # the checkpoint itself
def test_a_checkpoint_that_no_longer_holds_is_not_trusted(app, session, staff, signing, sql):
    signed, _ = _signed(app, session, staff)
    tamper(session, sql, h="d" * 64, s=signed)
    session.commit()
    with app.app_context():
        verdict, checkpoints = _since(session)
    assert verdict is None and not checkpoints.ok and f"seq {signed}" in checkpoints.problem
    result = _cli(app, "verify", "--since-checkpoint")
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and lines[0].startswith("NOTE: cannot start from a checkpoint")
    assert f"seq {signed}" in lines[-1] and "BROKEN" in lines[-1]


def test_incremental_without_a_checkpoint_walks_everything(app, session, staff, signing):
    _events(session, staff, 3)
    session.commit()
    result = _cli(app, "verify", "--since-checkpoint", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("NOTE: cannot start from a checkpoint (no signed")
    assert "OK: audit chain intact," in result.output


def test_the_command_can_leave_the_server_out(app, session, staff):
    last = _events(session, staff)
    session.commit()
    for flags in ((), ("--in-python",)):
        result = _cli(app, "verify", *flags)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"OK: audit chain intact, {last} events")


def test_after_a_doubt_that_holds_the_server_screens_on(session, staff, backend):
    """A diff written another way early in the log costs Python one chunk, not the rest of
    the log; a real edit further on is still named."""
    if backend != "postgresql":
        pytest.skip("the screen runs inside PostgreSQL")
    last = _events(session, staff, 40)
    tamper(session, "UPDATE audit_event SET diff = replace(diff, ':', ': ') WHERE seq = 5")
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=last - 2)
    with recorded(session) as statements:
        verdict = verify_chain(session, **SCREENED)
    walked = [high - low + 1 for low, high in (  # the Python walk's reads
        sorted(v for v in parameters.values() if isinstance(v, int))[:2]
        for statement, parameters in statements if "audit_event.diff" in statement)]
    assert verdict == verify_chain_reference(session)
    assert verdict.first_bad_seq == last - 2 and "altered" in verdict.problem
    assert walked and max(walked) <= CHUNK, walked


def test_the_server_screens_a_window_at_a_time(session, staff, backend):
    """A long log is screened in windows (a doubt costs the rest of its window again, not
    of the log), and an edit in a later window is still named."""
    if backend != "postgresql":
        pytest.skip("the screen runs inside PostgreSQL")
    last = _events(session, staff, 40)
    screened = ALTERED.text.replace(":first", "%(first)s").replace(":last", "%(last)s")
    with recorded(session) as statements:
        intact = verify_chain(session, **SCREENED, screen_window=8)
    windows = [parameters["last"] - parameters["first"] + 1
               for statement, parameters in statements if statement == screened]
    assert intact.ok and intact.events == last
    assert len(windows) >= last // 8 and max(windows) <= 8, windows
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=last - 3)
    assert verify_chain(session, **SCREENED, screen_window=8) == verify_chain_reference(session)


@pytest.mark.parametrize("options", MODES)
def test_a_diff_that_is_no_longer_json_is_named(session, staff, options):
    last = _events(session, staff)
    tamper(session, "UPDATE audit_event SET diff = 'dihapus' WHERE seq = :s", s=last - 2)
    verdict = verify_chain(session, **options)
    assert not verdict.ok and verdict.first_bad_seq == last - 2
    assert "altered" in verdict.problem


def _drop_not_null(session, backend, *columns) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite cannot drop a NOT NULL in place")
    for column in columns:
        tamper(session, f"ALTER TABLE audit_event ALTER COLUMN {column} DROP NOT NULL")


@pytest.mark.parametrize("columns", ["diff", "occurred_at", "hash", "prev_hash", "diff hash",
                                     "prev_hash hash"])
def test_a_null_where_the_schema_had_none_is_named_after_a_screen(session, staff, backend,
                                                                  columns):
    """Its NOT NULL dropped first: the server's comparison must doubt the row, not pass
    it (NULL = x is not true, nor is NULL IS DISTINCT FROM NULL a change), and Python
    names it."""
    columns = columns.split()
    _drop_not_null(session, backend, *columns)
    last = _events(session, staff)
    nulls = ", ".join(f"{column} = NULL" for column in columns)
    tamper(session, f"UPDATE audit_event SET {nulls} WHERE seq = :s", s=last - 4)
    verdict = verify_chain(session, **SCREENED)
    assert not verdict.ok and verdict.first_bad_seq == last - 4
    assert ("prev_hash does not match" if "prev_hash" in columns else "altered") \
        in verdict.problem


def test_a_tail_rewritten_with_nulls_is_named_after_a_screen(session, staff, backend):
    """Every hash from one row on, and the chain head's, set to NULL: nothing of it may
    pass as NULL matching NULL."""
    _drop_not_null(session, backend, "diff", "hash", "prev_hash")
    last = _events(session, staff, 20)
    tamper(session, "UPDATE audit_event SET diff = NULL, hash = NULL WHERE seq = :s", s=last - 9)
    tamper(session, "UPDATE audit_event SET prev_hash = NULL, hash = NULL, reason = 'palsu'"
                    " WHERE seq > :s", s=last - 9)
    tamper(session, "ALTER TABLE audit_chain_head ALTER COLUMN hash DROP NOT NULL")
    tamper(session, "UPDATE audit_chain_head SET hash = NULL")
    verdict = verify_chain(session, **SCREENED)
    assert verdict == verify_chain(session, screen_min=None)
    assert not verdict.ok and verdict.first_bad_seq == last - 9


@pytest.mark.parametrize("options", MODES)
def test_a_link_forged_with_a_quote_is_named(session, staff, options):
    """The server puts prev_hash in its text unescaped: a row passes only if prev_hash
    equals the hash before it, and a hash passes only as the hex its content gives."""
    last = _events(session, staff)
    forged = 'a"b\\c'
    tamper(session, "UPDATE audit_event SET hash = :h WHERE seq = :s", h=forged, s=last - 5)
    tamper(session, "UPDATE audit_event SET prev_hash = :h WHERE seq = :s", h=forged,
           s=last - 4)
    verdict = _same_verdict(session, options, last - 5)
    assert "altered" in verdict.problem


def test_the_server_checks_the_rows_content_as_one_aggregate(session, staff, backend):
    """An aggregate the server can share among its cores (at scale it does), not
    min(seq) rewritten into one ordered walk with a LIMIT, which is what PostgreSQL makes
    of a plain min whose test sits in WHERE."""
    if backend != "postgresql":
        pytest.skip("the screen runs inside PostgreSQL")
    _events(session, staff)
    session.execute(text(  # rows for the planner to weigh; only EXPLAIN reads them
        "INSERT INTO audit_event SELECT e.seq + n, e.occurred_at, e.actor_id, e.actor_name,"
        " e.actor_roles, e.ip, e.request_id, e.action, e.entity_type, e.entity_id, e.diff,"
        " e.reason, md5(e.seq::text) || md5(n::text), md5(n::text) || md5(e.seq::text)"
        " FROM audit_event e,"
        " generate_series(1000, 100000000, 1000) AS n WHERE e.seq <= 1"))
    session.execute(text("ANALYZE audit_event"))
    plan = session.execute(text("EXPLAIN (FORMAT JSON) " + ALTERED.text),
                           {"first": 1, "last": 100_000_000}).scalar_one()
    top = plan[0]["Plan"]
    kinds = {node["Node Type"] for node in nodes(top)}
    assert top["Node Type"] == "Aggregate" and "Limit" not in kinds, kinds


def test_a_missing_first_row_is_named_after_a_screen(session, staff):
    _events(session, staff)
    tamper(session, "DELETE FROM audit_event WHERE seq = 1")
    verdict = _same_verdict(session, SCREENED, 1)
    assert "missing" in verdict.problem
