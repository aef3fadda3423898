#!/usr/bin/env python3
"""Pemeriksaan luring paket bukti audit SIGAP Disnaker Kota Bekasi.

Pemakaian:  python3 verify_pack.py [FOLDER] [--kunci-publik HEX]

FOLDER adalah isi ZIP yang sudah diekstrak (bawaan: folder skrip ini). Skrip ini
memeriksa tanda tangan Ed25519 manifest.json (manifest.sig), lalu SHA-256 setiap berkas
dan daftar seq terhadap manifest, menghitung ulang hash setiap peristiwa, mencocokkan
events.json, events.csv dan chain.json, mencocokkan PDF berkas permohonan dengan
peristiwa report.generate-nya, dan memeriksa tanda tangan checkpoint terakhir.
Hash yang dihitung paket atas dirinya sendiri dapat dihitung ulang oleh pemalsu; yang
membuktikan adalah tanda tangan, dan asal tanda tangan hanya terbukti dengan kunci publik
yang diterima langsung dari Dinas (--kunci-publik).
Hanya pustaka standar Python dan `cryptography`; tidak ada akses jaringan.
Keluar dengan kode 0 bila semua pemeriksaan lulus, 1 bila ada yang gagal.
"""
import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # dilaporkan sebagai GAGAL oleh verdict()
    Ed25519PublicKey = None

FORMAT = "sigap-evidence-pack/2"
SIGNED = ("manifest.json", "manifest.sig")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # sel CSV seperti ini diawali tanda '


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(key_hex: str) -> str:
    """Sama dengan yang ditampilkan aplikasi (Log audit > Status rantai)."""
    try:
        return "SHA256:" + sha256(bytes.fromhex(key_hex))[:32]
    except ValueError:
        return "?"


def signature_valid(key_hex: str, signature_hex: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def signed_manifest(folder: Path, trusted_key: str | None) -> tuple:
    """(manifest, []) bila tanda tangannya sah; tanpa itu isi paket tidak berarti apa-apa."""
    try:
        raw = (folder / "manifest.json").read_bytes()
        signature = (folder / "manifest.sig").read_text(encoding="ascii").strip()
        manifest = json.loads(raw)
        embedded = manifest["public_key"]
    except FileNotFoundError as missing:
        return None, [f"{Path(missing.filename).name} tidak ada: paket tidak bertanda tangan"]
    except (ValueError, KeyError, TypeError):
        return None, ["manifest.json atau manifest.sig rusak"]
    key = trusted_key or embedded
    if trusted_key:
        print(f"Kunci publik: {fingerprint(key)} (diberikan dengan --kunci-publik)")
    else:
        print(f"Kunci publik: {fingerprint(key)} (tertanam di manifest; ini membuktikan paket "
              f"utuh, bukan asalnya: cocokkan sidik jari ini dengan yang disimpan Dinas, atau "
              f"jalankan dengan --kunci-publik)")
    if not signature_valid(key, signature, raw):
        whose = "kunci publik yang diberikan" if trusted_key else "kunci di manifest"
        return None, [f"manifest.sig: tanda tangan manifest.json tidak sah untuk {whose} "
                      f"(manifest diubah atau ditandatangani pihak lain)"]
    if manifest.get("format") != FORMAT:
        return None, [f"manifest.json: format {manifest.get('format')!r} tidak dikenal "
                      f"(diharapkan {FORMAT})"]
    return manifest, []


def check_members(folder: Path, manifest: dict) -> list:
    listed = manifest["files"]
    present = {path.name for path in folder.iterdir()} - set(SIGNED)
    problems = [f"{name}: tercantum di manifest tetapi tidak ada di folder"
                for name in sorted(set(listed) - present)]
    problems += [f"{name}: berkas tambahan yang tidak tercantum di manifest"
                 for name in sorted(present - set(listed))]
    for name in sorted(set(listed) & present):
        path = folder / name
        if not path.is_file() or sha256(path.read_bytes()) != listed[name]:
            problems.append(f"{name}: SHA-256 berbeda dengan manifest (berkas diubah)")
    return problems


def check_against_manifest(events: list, chain: dict, manifest: dict) -> list:
    problems = []
    for name, seqs in (("events.json", [e["seq"] for e in events]),
                       ("chain.json", [e["seq"] for e in chain["events"]])):
        if seqs != manifest["event_seqs"]:
            missing = sorted(set(manifest["event_seqs"]) - set(seqs))
            extra = sorted(set(seqs) - set(manifest["event_seqs"]))
            problems.append(f"{name}: daftar seq berbeda dengan manifest (hilang: {missing}, "
                            f"tambahan: {extra})")
    for key in ("chain_head", "checkpoint"):
        if chain[key] != manifest[key]:
            problems.append(f"chain.json: {key} berbeda dengan manifest")
    return problems


def check_events(events: list, chain: dict) -> list:
    problems, fields = [], chain["hash"]["fields"]
    proofs = {proof["seq"]: proof for proof in chain["events"]}
    previous = None
    for event in events:
        seq = event["seq"]
        payload = {name: event[name] for name in fields}
        try:
            payload["diff"] = json.loads(payload["diff"])
        except ValueError:
            problems.append(f"seq {seq}: kolom diff bukan JSON")
            continue
        if sha256(canonical(payload).encode("utf-8")) != event["hash"]:
            problems.append(f"seq {seq}: isi peristiwa tidak cocok dengan hash-nya (diubah)")
        if proofs.pop(seq, None) != {**payload, "hash": event["hash"]}:
            problems.append(f"seq {seq}: events.json dan chain.json tidak sama")
        if previous and previous["seq"] + 1 == seq and event["prev_hash"] != previous["hash"]:
            problems.append(f"seq {seq}: prev_hash bukan hash peristiwa sebelumnya")
        if seq > chain["chain_head"]["seq"]:
            problems.append(f"seq {seq}: melewati kepala rantai saat ekspor")
        if seq == chain["chain_head"]["seq"] and event["hash"] != chain["chain_head"]["hash"]:
            problems.append(f"seq {seq}: hash berbeda dengan kepala rantai")
        previous = event
    if proofs:
        problems.append(f"chain.json memuat peristiwa yang tidak ada di events.json: "
                        f"{sorted(proofs)}")
    return problems


def check_csv(events: list, path: Path) -> list:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != len(events):
        return ["events.csv dan events.json tidak memuat jumlah peristiwa yang sama"]
    problems = []
    for row, event in zip(rows, events):
        for name, value in event.items():
            text = "" if value is None else str(value)
            if row.get(name) not in (text, "'" + text if text.startswith(FORMULA_START) else text):
                problems.append(f"seq {event['seq']}: kolom {name} di events.csv berbeda")
    return problems


def check_case_file(events: list, chain: dict, folder: Path) -> list:
    case_file = chain["case_file"]
    path = folder / case_file["file_name"]
    if not path.is_file() or sha256(path.read_bytes()) != case_file["sha256"]:
        return [f"{case_file['file_name']}: SHA-256 berkas tidak sama dengan chain.json"]
    for event in events:
        if event["action"] != "report.generate":
            continue
        try:
            change = json.loads(event["diff"]).get("sha256")
        except (ValueError, AttributeError):
            continue
        if isinstance(change, list) and change[-1] == case_file["sha256"]:
            return []
    return [f"{case_file['file_name']}: tidak ada peristiwa report.generate dengan SHA-256-nya"]


def check_checkpoint(manifest: dict, events: list, trusted_key: str | None) -> list:
    """Checkpoint yang tercatat di manifest bertanda tangan (bukan salinan di chain.json)."""
    checkpoint = manifest["checkpoint"]
    if checkpoint is None:
        print("CATATAN: saat ekspor belum ada checkpoint bertanda tangan (tercatat di manifest).")
        return []
    message = canonical({name: checkpoint[name] for name in ("seq", "head_hash", "signed_at")})
    if not signature_valid(trusted_key or checkpoint["public_key"], checkpoint["signature"],
                           message.encode("utf-8")):
        return [f"checkpoint seq {checkpoint['seq']}: tanda tangan tidak sah"]
    problems = []
    if checkpoint["seq"] > manifest["chain_head"]["seq"]:
        problems.append(f"checkpoint seq {checkpoint['seq']} melewati kepala rantai saat ekspor")
    for event in events:
        if event["seq"] == checkpoint["seq"] and event["hash"] != checkpoint["head_hash"]:
            problems.append(f"seq {event['seq']}: hash berbeda dengan checkpoint bertanda tangan")
    return problems


def check_contents(folder: Path, manifest: dict, trusted_key: str | None) -> list:
    """Isi berkas, agar laporan menyebut peristiwa mana yang diubah, bukan hanya berkasnya."""
    try:
        events = json.loads((folder / "events.json").read_text(encoding="utf-8"))
        chain = json.loads((folder / "chain.json").read_text(encoding="utf-8"))
        return (check_against_manifest(events, chain, manifest) + check_events(events, chain)
                + check_csv(events, folder / "events.csv")
                + check_case_file(events, chain, folder)
                + check_checkpoint(manifest, events, trusted_key))
    except OSError:
        return []  # berkas yang hilang sudah disebut oleh check_members
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return ["events.json, events.csv atau chain.json tidak berbentuk seperti semestinya"]


def verdict(folder: Path, trusted_key: str | None) -> tuple[list, dict | None]:
    if Ed25519PublicKey is None:
        return ["pustaka cryptography tidak terpasang (python3 -m pip install cryptography)"], None
    manifest, problems = signed_manifest(folder, trusted_key)
    if manifest is None:
        return problems, None
    return (check_members(folder, manifest) + check_contents(folder, manifest, trusted_key),
            manifest)


def main() -> int:
    parser = argparse.ArgumentParser(description="Periksa paket bukti audit secara luring.")
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parent))
    parser.add_argument("--kunci-publik", dest="key",
                        help="kunci publik Ed25519 (hex) yang dipercaya, dari Dinas")
    args = parser.parse_args()
    problems, manifest = verdict(Path(args.folder), args.key)
    for problem in problems:
        print(f"GAGAL: {problem}")
    if problems:
        more = f" (dan {len(problems) - 1} masalah lain di atas)" if len(problems) > 1 else ""
        print(f"HASIL: GAGAL — {problems[0]}{more}")
        return 1
    origin = ("kunci publik yang diberikan" if args.key else
              "kunci yang tertanam di manifest (keutuhan terbukti, asal belum)")
    print(f"HASIL: LULUS — tanda tangan manifest sah dengan {origin}; "
          f"{len(manifest['event_seqs'])} peristiwa, semua hash cocok; kepala rantai saat "
          f"ekspor seq {manifest['chain_head']['seq']}. Keterkaitan dengan seluruh rantai "
          f"diperiksa dengan `flask audit verify` di server.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
