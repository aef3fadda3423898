"""How one audit row is hashed. Computed in Python so every database agrees."""
import hashlib
import json
from datetime import datetime, timezone

HASHED_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "actor_roles", "ip", "request_id",
    "action", "entity_type", "entity_id", "diff", "reason", "prev_hash",
)


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _timestamp(value: datetime) -> str:
    utc = value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)
    if utc.year < 1000:  # strftime leaves such a year unpadded; isoformat would pad it
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), in half the time
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def hashed_payload(fields: dict) -> dict:
    """The row's fields exactly as hashed (also what an evidence pack hands out)."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["occurred_at"] = _timestamp(payload["occurred_at"])
    payload["diff"] = json.loads(payload["diff"])
    return payload


def event_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON of the row's fields, including ``prev_hash``."""
    return hashlib.sha256(canonical_json(hashed_payload(fields)).encode("utf-8")).hexdigest()


def row_hash(values) -> str:
    """``event_hash`` of a plain row tuple in ``HASHED_FIELDS`` order (a full verify
    hashes millions of them, so one dict instead of two)."""
    payload = dict(zip(HASHED_FIELDS, values))
    payload["occurred_at"] = _timestamp(payload["occurred_at"])
    payload["diff"] = json.loads(payload["diff"])
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
