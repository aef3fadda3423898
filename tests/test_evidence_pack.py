"""The evidence pack of one case (/audit/evidence-pack): what it holds, and that its own
verify_pack.py, run offline, passes it untouched and fails it after each forgery a
reviewer tried. Hashes the pack computes about itself can be recomputed by a forger;
only the signed manifest tells, so without the signing key no pack is built."""
import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from caseapp.audit_workspace.chain import fingerprint
from models import AuditChainHead, AuditEvent, Document, Worker
from tests.factories import make_submitted
from tests.helpers import csrf_token, events_since, job_file, login
from tests.report_helpers import diff_of, flat, pdf_pages, sha256
from workflows.audit import record
from workflows.audit.access import READ_MARK
from workflows.audit.chain import HASHED_FIELDS, canonical_json, event_hash
from workflows.audit.checkpoints import load_key, public_key_hex

PURPOSE = "Pemeriksaan Inspektorat atas kasus ini"


@pytest.fixture
def pack_key(app, signing) -> str:
    """A signing key and no checkpoint yet; its public half (hex)."""
    assert app.test_cli_runner().invoke(args=["audit", "keygen"]).exit_code == 0
    return public_key_hex(load_key(signing[0]))


def _checkpoint(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "keygen"]).exit_code == 0
    result = runner.invoke(args=["audit", "checkpoint", "--as", "audit1"])
    assert result.exit_code == 0, result.output


def _checkpoint_seq(session) -> int:
    return session.scalar(select(AuditEvent.seq).where(
        AuditEvent.action == "audit.checkpoint")) - 1


def _case_with_history(session, staff):
    application = make_submitted(session, staff["cw1"])
    record(session, staff["cw1"], "test.unrelated", entity_type="application", entity_id="0")
    session.commit()
    return application


def _build_pack(client, application_id, purpose=PURPOSE):
    token = csrf_token(client, "/audit/evidence-pack")
    return client.post("/audit/evidence-pack", data={
        "csrf_token": token, "application_id": str(application_id), "purpose": purpose})


def _pack(client, application_id, folder) -> zipfile.ZipFile:
    response = job_file(client, _build_pack(client, application_id))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    archive.extractall(folder)
    return archive


def _verify(folder, *args):
    return subprocess.run([sys.executable, str(folder / "verify_pack.py"), str(folder), *args],
                          capture_output=True, text=True, timeout=60)


def test_evidence_pack_holds_the_case_and_verifies_offline(app, client, session, staff,
                                                          signing, tmp_path):
    application = _case_with_history(session, staff)
    _checkpoint(app)
    worker = session.get(Worker, application.worker_id)
    login(client, "audit1")
    folder = tmp_path / "pack"
    archive = _pack(client, application.id, folder)
    pdf_name = f"berkas-permohonan_{application.id}.pdf"
    members = {pdf_name, "events.json", "events.csv", "chain.json", "verify_pack.py",
               "README.txt"}
    assert set(archive.namelist()) == members | {"manifest.json", "manifest.sig"}
    assert worker.nik in flat(" ".join(pdf_pages(archive.read(pdf_name))))
    assert "flask audit verify" in archive.read("README.txt").decode("utf-8")

    generated = session.execute(select(AuditEvent).where(
        AuditEvent.action == "report.generate").order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    pack_event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "audit.evidence_pack")).scalar_one()
    assert (pack_event.entity_type, pack_event.entity_id, pack_event.reason) == (
        "application", str(application.id), PURPOSE)
    assert diff_of(pack_event)[READ_MARK] == "bulk"
    assert diff_of(pack_event)["sha256"] == sha256(archive.fp.getvalue())
    assert diff_of(pack_event)["manifest_sha256"] == sha256(archive.read("manifest.json"))
    assert pack_event.seq == generated.seq + 1
    # A job built it for the auditor; taking the ZIP is a read under the same purpose.
    after = [e.action for e in events_since(session, pack_event.seq)]
    assert after == ["job.finished", "audit.evidence_pack.download"]
    taken = events_since(session, pack_event.seq)[-1]
    assert (taken.actor_name, taken.reason, taken.entity_id) == ("audit1", PURPOSE,
                                                                 str(application.id))
    assert diff_of(taken)[READ_MARK] == "bulk" and diff_of(taken)["destination"] == "http"
    assert diff_of(taken)["sha256"] == diff_of(pack_event)["sha256"]

    expected = list(session.execute(select(AuditEvent).where(
        AuditEvent.seq < pack_event.seq,
        ((AuditEvent.entity_type == "application")
         & (AuditEvent.entity_id == str(application.id)))
        | ((AuditEvent.entity_type == "worker") & (AuditEvent.entity_id == str(worker.id)))
        | ((AuditEvent.entity_type == "document") & AuditEvent.entity_id.in_(
            [str(d.id) for d in session.execute(select(Document).where(
                Document.application_id == application.id)).scalars()])))
        .order_by(AuditEvent.seq)).scalars())
    events = json.loads(archive.read("events.json"))
    assert [e["seq"] for e in events] == [e.seq for e in expected]
    assert {"worker.register", "application.open", "document.upload", "application.submit",
            "report.generate"} <= {e["action"] for e in events}
    for row, event in zip(events, expected):
        assert set(row) == set(HASHED_FIELDS) | {"hash"}
        assert (row["diff"], row["hash"], row["prev_hash"]) == (event.diff, event.hash,
                                                                event.prev_hash)
    rows = list(csv.DictReader(io.StringIO(archive.read("events.csv").decode("utf-8-sig"))))
    assert [(int(r["seq"]), r["hash"]) for r in rows] == [(e.seq, e.hash) for e in expected]

    chain = json.loads(archive.read("chain.json"))
    assert chain["chain_head"] == {"seq": generated.seq, "hash": generated.hash}
    for proof, event in zip(chain["events"], expected):
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        assert proof["hash"] == event.hash == event_hash(fields)
        assert proof["diff"] == json.loads(event.diff)
    assert chain["checkpoint"]["seq"] == _checkpoint_seq(session)
    assert set(chain["checkpoint"]) == {"seq", "head_hash", "signed_at", "public_key",
                                        "signature"}
    assert chain["case_file"]["sha256"] == diff_of(generated)["sha256"]

    key = load_key(signing[0])
    assert json.loads(archive.read("manifest.json")) == {
        "format": "sigap-evidence-pack/2", "application_id": application.id,
        "generated_at": chain["generated_at"], "generated_by": "audit1", "purpose": PURPOSE,
        "files": {name: sha256(archive.read(name)) for name in members},
        "event_seqs": [e.seq for e in expected], "chain_head": chain["chain_head"],
        "checkpoint": chain["checkpoint"], "public_key": public_key_hex(key)}
    key.public_key().verify(bytes.fromhex(archive.read("manifest.sig").decode()),
                            archive.read("manifest.json"))  # raises when not valid

    embedded = _verify(folder)
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr
    assert "HASIL: LULUS" in embedded.stdout and "tertanam di manifest" in embedded.stdout
    assert fingerprint(public_key_hex(key)) in embedded.stdout
    trusted = _verify(folder, "--kunci-publik", public_key_hex(key))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert "HASIL: LULUS" in trusted.stdout and "diberikan dengan --kunci-publik" in trusted.stdout


def _rewrite_json(path, change) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value), encoding="utf-8")


def _rewrite(folder, change) -> None:
    """A forger's edit: the same change in events.json, chain.json and events.csv."""
    events = json.loads((folder / "events.json").read_text(encoding="utf-8"))
    chain = json.loads((folder / "chain.json").read_text(encoding="utf-8"))
    change(events, chain)
    (folder / "events.json").write_text(json.dumps(events), encoding="utf-8")
    (folder / "chain.json").write_text(json.dumps(chain), encoding="utf-8")
    with (folder / "events.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(events[0]))
        writer.writeheader()
        writer.writerows(events)


def _drop(seq):
    def change(events, chain):
        events[:] = [e for e in events if e["seq"] != seq]
        chain["events"] = [e for e in chain["events"] if e["seq"] != seq]
    return change


def _forge_case_file(folder, pdf_name) -> None:
    """Another PDF, its report.generate event edited to match, hash and head recomputed."""
    forged = b"%PDF-1.4 berkas pengganti"
    (folder / pdf_name).write_bytes(forged)

    def change(events, chain):
        event = [e for e in events if e["action"] == "report.generate"][-1]
        diff = json.loads(event["diff"])
        diff["sha256"][-1] = chain["case_file"]["sha256"] = sha256(forged)
        event["diff"] = json.dumps(diff)
        event["hash"] = sha256(canonical_json({**{name: event[name] for name in HASHED_FIELDS},
                                               "diff": diff}).encode("utf-8"))
        next(p for p in chain["events"] if p["seq"] == event["seq"]).update(
            diff=diff, hash=event["hash"])
        if chain["chain_head"]["seq"] == event["seq"]:
            chain["chain_head"]["hash"] = event["hash"]
    _rewrite(folder, change)


def _drop_and_resign(folder, seq, key) -> None:
    """An event deleted everywhere and the manifest redone, signed with the forger's key."""
    _rewrite(folder, _drop(seq))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["event_seqs"].remove(seq)
    manifest["files"] = {name: sha256((folder / name).read_bytes()) for name in manifest["files"]}
    manifest["public_key"] = public_key_hex(key)
    raw = json.dumps(manifest).encode("utf-8")
    (folder / "manifest.json").write_bytes(raw)
    (folder / "manifest.sig").write_text(key.sign(raw).hex())


def test_a_tampered_evidence_pack_fails_offline(app, client, session, staff, signing,
                                                tmp_path):
    application = _case_with_history(session, staff)
    _checkpoint(app)
    login(client, "audit1")
    pack = tmp_path / "pack"
    _pack(client, application.id, pack)
    pdf_name = f"berkas-permohonan_{application.id}.pdf"
    victim = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))["event_seqs"][1]
    office, forger = public_key_hex(load_key(signing[0])), Ed25519PrivateKey.generate()
    differs = "SHA-256 berbeda dengan manifest"
    cases = [  # (name, tampering, verify_pack.py arguments, reasons it must give)
        ("edit an event", lambda f: _rewrite(f, lambda events, _chain: events[1].update(
            actor_name="orang lain")), (),
         [f"seq {victim}: isi peristiwa tidak cocok", f"events.json: {differs}"]),
        ("delete an event", lambda f: _rewrite(f, _drop(victim)), (),
         [f"events.json: daftar seq berbeda dengan manifest (hilang: [{victim}]",
          f"chain.json: daftar seq berbeda dengan manifest (hilang: [{victim}]"]),
        ("replace the PDF", lambda f: _forge_case_file(f, pdf_name), (),
         [f"{pdf_name}: {differs}"]),
        ("no checkpoint", lambda f: _rewrite_json(
            f / "chain.json", lambda chain: chain.update(checkpoint=None)), (),
         ["chain.json: checkpoint berbeda dengan manifest"]),
        ("edit the manifest", lambda f: _rewrite_json(
            f / "manifest.json", lambda manifest: manifest["event_seqs"].remove(victim)), (),
         ["manifest.sig: tanda tangan manifest.json tidak sah untuk kunci di manifest"]),
        ("no signature", lambda f: (f / "manifest.sig").unlink(), (),
         ["manifest.sig tidak ada: paket tidak bertanda tangan"]),
        ("no manifest", lambda f: (f / "manifest.json").unlink(), (),
         ["manifest.json tidak ada: paket tidak bertanda tangan"]),
        ("a member missing", lambda f: (f / "README.txt").unlink(), (),
         ["README.txt: tercantum di manifest tetapi tidak ada di folder"]),
        ("an extra file", lambda f: (f / "catatan.txt").write_text("x"), (),
         ["catatan.txt: berkas tambahan yang tidak tercantum di manifest"]),
        ("the wrong key", lambda f: None, ("--kunci-publik", public_key_hex(forger)),
         ["tidak sah untuk kunci publik yang diberikan"]),
        ("re-signed by a forger", lambda f: _drop_and_resign(f, victim, forger),
         ("--kunci-publik", office), ["tidak sah untuk kunci publik yang diberikan"]),
    ]
    for name, tampering, args, reasons in cases:
        folder = tmp_path / name.replace(" ", "-")
        shutil.copytree(pack, folder)
        tampering(folder)
        result = _verify(folder, *args)
        assert result.returncode == 1 and "HASIL: GAGAL — " in result.stdout, (name, result)
        for reason in reasons:
            assert reason in result.stdout, (name, reason, result.stdout)
    # The forged PDF is consistent with its events: only the signed manifest tells.
    replaced = _verify(tmp_path / "replace-the-PDF").stdout.splitlines()
    assert all("manifest" in line for line in replaced if line.startswith("GAGAL:")), replaced

    # Whole by the key it carries, so origin needs the office's key or fingerprint.
    resigned = _verify(tmp_path / "re-signed-by-a-forger")
    assert resigned.returncode == 0 and fingerprint(office) not in resigned.stdout
    assert fingerprint(public_key_hex(forger)) in resigned.stdout


def test_without_a_signing_key_no_pack_is_built(client, session, staff, signing):
    application = _case_with_history(session, staff)
    login(client, "audit1")
    before = session.scalar(select(AuditChainHead.seq))
    response = _build_pack(client, application.id)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "flask audit keygen" in response.get_data(as_text=True)
    added = set(session.execute(select(AuditEvent.action).where(
        AuditEvent.seq > before)).scalars())
    assert added <= {"audit.evidence_pack.refused"}  # the attempt at most, never a pack


def test_evidence_pack_needs_a_purpose_and_an_existing_case(client, session, staff, pack_key):
    application = _case_with_history(session, staff)
    login(client, "audit1")
    before = session.scalar(select(AuditChainHead.seq))
    assert _build_pack(client, application.id, purpose="singkat").status_code == 422
    assert _build_pack(client, 999_999).status_code == 404
    assert session.scalar(select(AuditChainHead.seq)) == before


def test_without_a_checkpoint_the_signed_pack_says_so(client, session, staff, pack_key,
                                                      tmp_path):
    application = _case_with_history(session, staff)
    login(client, "audit1")
    archive = _pack(client, application.id, tmp_path / "pack")
    assert json.loads(archive.read("manifest.json"))["checkpoint"] is None
    result = _verify(tmp_path / "pack", "--kunci-publik", pack_key)
    assert result.returncode == 0 and "belum ada checkpoint" in result.stdout
