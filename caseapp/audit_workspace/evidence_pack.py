"""The evidence pack of one case: a ZIP an inspector can check without our server.

The case file PDF comes from the report service (its ``report.generate`` event holds
the PDF's SHA-256 and is among the case's events), then the case's events with every
hashed field, the chain head and the last signed checkpoint are read in the same
write transaction (the head row is locked since that event, so the head printed is
exact), and the pack itself is recorded as ``audit.evidence_pack`` with its purpose. A
job builds it (caseapp/audit_workspace/jobs.py); the auditor's download of the ZIP is
``audit.evidence_pack.download``.

Hashes the pack computes about itself prove nothing: whoever edits a file can
recompute them, and a case's events are not consecutive in the chain, so a removed
one leaves no broken link. ``manifest.json`` (every member's SHA-256, the event seqs,
chain head and checkpoint) is therefore signed with the audit signing key, which the
database never holds; without that key no pack is built.
"""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseapp.audit_keys import signing_key_path
from caseapp.reports.builders import ReportNotFound
from caseapp.reports.prepared import safe_stem
from caseapp.reports.service import generate
from models import Application, Role, clock
from reports.archive import zip_archive
from reports.audit_trail import case_events, last_checkpoint
from reports.meta import read_chain_head
from reports.tables import Col, Sheet
from reports.xlsx import write_csv
from workflows.actor import Actor
from workflows.audit.access import checked_purpose, record_read
from workflows.audit.chain import HASHED_FIELDS, hashed_payload
from workflows.audit.checkpoints import line_of, load_key, public_key_hex
from workflows.errors import Conflict, NotAllowed
from workflows.messages import lazy_gettext as _l

PACK_FILES = Path(__file__).with_name("pack_files")
COLUMNS = (*HASHED_FIELDS, "hash")
FORMAT = "sigap-evidence-pack/2"


@dataclass(frozen=True)
class EvidencePack:
    file_name: str
    content: bytes
    sha256: str


def _proofs(events) -> list[dict]:
    """Each event's fields exactly as hashed, with its hash."""
    return [{**hashed_payload({name: getattr(e, name) for name in HASHED_FIELDS}),
             "hash": e.hash} for e in events]


def _events_csv(rows: list[dict]) -> bytes:
    kinds = {"seq": "int", "actor_id": "int"}
    return write_csv(Sheet("events", [Col(name, kinds.get(name, "text")) for name in COLUMNS],
                           ([row[name] for name in COLUMNS] for row in rows)))


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signing_key() -> Ed25519PrivateKey:
    """Checked before anything is generated or recorded: an unsigned pack is not built."""
    path = signing_key_path()
    if not path.is_file():
        raise Conflict(_l("Evidence packs are signed with the audit signing key, and this "
                          "server has none. Ask IT to create it (`flask audit keygen`), then "
                          "build the pack again."))
    return load_key(path)


def check_evidence_pack(session, application_id: int, purpose: str | None, *,
                        actor: Actor) -> str:
    """Refuse without the auditor role, a stated purpose, the signing key or the case,
    before any work (the page, before it queues the job; the job, again); the purpose."""
    if not actor.has_role(Role.AUDITOR.value):
        raise NotAllowed(_l("Only auditors build evidence packs."))
    purpose = checked_purpose(purpose)
    _signing_key()
    if session.get(Application, application_id) is None:
        raise ReportNotFound(_l("Application %(id)s does not exist.", id=application_id))
    return purpose


def build_evidence_pack(session, application_id: int, purpose: str | None, *,
                        actor: Actor) -> EvidencePack:
    purpose = check_evidence_pack(session, application_id, purpose, actor=actor)
    key = _signing_key()
    case_file = generate(session, "case", "pdf", {"application_id": application_id},
                         actor=actor, purpose=purpose)
    events = case_events(session, session.get(Application, application_id))
    head, checkpoint, now = read_chain_head(session), last_checkpoint(session), clock.now()
    proofs = _proofs(events)
    stored = [{**proof, "diff": event.diff} for proof, event in zip(proofs, events)]
    about = {"format": FORMAT, "application_id": application_id,
             "generated_at": now.isoformat(), "generated_by": actor.name, "purpose": purpose}
    ends = {"chain_head": {"seq": head.seq, "hash": head.hash},
            "checkpoint": line_of(checkpoint) if checkpoint else None}
    chain = {**about,
             "hash": {"algorithm": "SHA-256 over canonical JSON (sorted keys, separators "
                                   "',' and ':', UTF-8 without escapes) of these fields",
                      "fields": list(HASHED_FIELDS)},
             "case_file": {"file_name": case_file.file_name, "sha256": case_file.sha256},
             "events": proofs, **ends}
    files = {case_file.file_name: case_file.content, "events.json": _json(stored),
             "events.csv": _events_csv(stored), "chain.json": _json(chain),
             "verify_pack.py": (PACK_FILES / "verify_pack.py").read_bytes(),
             "README.txt": (PACK_FILES / "README.txt").read_bytes()}
    manifest = _json({**about, "files": {name: _sha256(data) for name, data in files.items()},
                      "event_seqs": [event.seq for event in events], **ends,
                      "public_key": public_key_hex(key)})
    content = zip_archive({**files, "manifest.json": manifest,
                           "manifest.sig": key.sign(manifest).hex().encode("ascii") + b"\n"},
                          now)
    stem = safe_stem("paket-bukti-permohonan", application_id, now.strftime("%Y%m%dT%H%M%SZ"))
    pack = EvidencePack(f"{stem}.zip", content, _sha256(content))
    record_read(session, actor, "audit.evidence_pack", entity_type="application",
                entity_id=str(application_id), purpose=purpose, bulk=True, detail={
                    "file_name": pack.file_name, "sha256": pack.sha256,
                    "manifest_sha256": _sha256(manifest), "events": len(events),
                    "chain_head_seq": head.seq, "chain_head_hash": head.hash,
                    "checkpoint_seq": checkpoint.seq if checkpoint else None,
                    "case_file_sha256": case_file.sha256})
    return pack


def record_pack_download(session, *, application_id: int, purpose: str, file_name: str,
                         sha256: str, actor: Actor, destination: str) -> None:
    """The pack left the system (it lists the case's personal data): a bulk read under
    the purpose it was built for."""
    record_read(session, actor, "audit.evidence_pack.download", entity_type="application",
                entity_id=str(application_id), purpose=purpose, bulk=True,
                detail={"file_name": file_name, "sha256": sha256, "destination": destination})
