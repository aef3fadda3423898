"""A first pass over the chain inside PostgreSQL, so a long log verifies at the speed
of the server's parallel scans rather than of one Python process.

The server rebuilds each row's canonical JSON (the same text ``chain.canonical_json``
gives: sorted keys, no spaces, strings escaped as JSON does, the stored diff as it
is), hashes it with its own SHA-256 and compares it with the stored hash, and checks
seq and links with a window over seq order. Each test asks whether the row holds and
doubts it unless that is true: a NULL where the schema allows none (its constraint
dropped first), on either side of a comparison, is a doubt, never a match.
Python stays the judge: the pass only finds the rows that hold, from the start up to
the first row it doubts, and the Python walk resumes there, so a doubted row (a real
edit, or a diff that is still the same JSON written another way) gets exactly the
Python walk's verdict. Trusting the server's SHA-256 for the rows that hold is the
price; ``flask audit verify --in-python`` walks without it.
"""
from sqlalchemy import text
from sqlalchemy.orm import Session

from workflows.audit.chain import HASHED_FIELDS
from workflows.audit.segments import Stretch

SCREEN_MIN = 50_000  # below this many events the Python walk alone is quick enough
# Events screened at a time: a doubt that holds costs the rest of its window again, not
# the rest of the log.
SCREEN_WINDOW = 2_000_000

_NUMBERS = ("seq", "actor_id")
_TEXT_AS_IS = ("diff",)  # stored as canonical JSON already
# A row passes only if its prev_hash equals the hash before it, which passes only as hex
# (or is the walk's own): so prev_hash needs no JSON escaping here (to_json costs 15%).
_HEX = ("prev_hash",)


def _field(name: str) -> str:
    if name == "occurred_at":
        return ("'\"' || pg_catalog.to_char(occurred_at AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '\"'")
    if name in _NUMBERS:
        return f"coalesce({name}::text, 'null')"
    if name in _TEXT_AS_IS:
        return name
    if name in _HEX:
        return f"'\"' || {name} || '\"'"
    return f"coalesce(pg_catalog.to_json({name})::text, 'null')"


_CANONICAL = " || ',' || ".join(f"'\"{name}\":' || {_field(name)}"
                                for name in sorted(HASHED_FIELDS))
# min() FILTER, not WHERE: a plain min(seq) becomes an ordered index scan in one process.
ALTERED = text(f"""
    SELECT min(seq) FILTER (WHERE (pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
            '{{' || {_CANONICAL} || '}}', 'UTF8')), 'hex') = hash) IS NOT TRUE)
    FROM audit_event WHERE seq BETWEEN :first AND :last""")
_LINKS = text("""
    SELECT min(seq) FILTER (WHERE (prev_hash = CASE WHEN before_seq IS NULL THEN :prev
                                                    ELSE before END
                                   AND seq = coalesce(before_seq, :first - 1) + 1) IS NOT TRUE),
           count(*), max(seq)
    FROM (SELECT seq, prev_hash, lag(hash) OVER w AS before, lag(seq) OVER w AS before_seq
          FROM audit_event WHERE seq BETWEEN :first AND :last WINDOW w AS (ORDER BY seq)) AS x""")
_LAST_BEFORE = text("""
    SELECT seq, hash FROM audit_event WHERE seq >= :first AND seq < :below
    ORDER BY seq DESC LIMIT 1""")


def can_screen(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "postgresql" and session.scalar(
        text("SELECT current_setting('server_encoding')")) == "UTF8"


def screen(session: Session, start: Stretch, last_seq: int) -> Stretch:
    """The Stretch after the rows from ``start`` that hold, up to ``last_seq`` or to the
    first row the server doubts (the Python walk goes on from there)."""
    first = start.expected_seq
    bounds = {"first": first, "last": last_seq}
    altered = session.scalar(ALTERED, bounds)
    broken, rows, last = session.execute(_LINKS, {**bounds, "prev": start.prev_hash}).one()
    doubted = min((s for s in (altered, broken) if s is not None), default=None)
    below = last + 1 if doubted is None and rows else doubted
    if below is None or below <= first:
        return start
    row = session.execute(_LAST_BEFORE, {"first": first, "below": below}).one_or_none()
    if row is None:  # the stretch's first row is missing: Python names it
        return start
    return Stretch(row.seq + 1, row.hash, start.count + row.seq - first + 1)
