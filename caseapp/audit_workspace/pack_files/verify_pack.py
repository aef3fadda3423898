#!/usr/bin/env python3
"""Pemeriksaan luring paket bukti audit SIGAP Disnaker Kota Bekasi.

Pemakaian:  python3 verify_pack.py [FOLDER] [--kunci-publik HEX]

FOLDER adalah isi ZIP yang sudah diekstrak (bawaan: folder skrip ini). Skrip ini
menghitung ulang hash SHA-256 setiap peristiwa, mencocokkan events.json, events.csv
dan chain.json, mencocokkan PDF berkas permohonan dengan peristiwa report.generate-nya,
dan memeriksa tanda tangan Ed25519 checkpoint terakhir (pustaka `cryptography`).
Hanya pustaka standar Python dan `cryptography` yang dipakai; tidak ada akses jaringan.
Keluar dengan kode 0 bila semua pemeriksaan lulus, 1 bila ada yang gagal.
"""
import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # sel CSV seperti ini diawali tanda '


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def check_checkpoint(chain: dict, events: list, trusted_key: str | None) -> list:
    checkpoint = chain["checkpoint"]
    if checkpoint is None:
        print("CATATAN: belum ada checkpoint bertanda tangan; hanya hash yang diperiksa.")
        return []
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return ["pustaka cryptography tidak terpasang (pip install cryptography)"]
    key = trusted_key or checkpoint["public_key"]
    message = canonical({name: checkpoint[name] for name in ("seq", "head_hash", "signed_at")})
    try:
        print(f"Kunci publik checkpoint: SHA256:{sha256(bytes.fromhex(key))[:32]}"
              f"{'' if trusted_key else ' (dari paket; cocokkan dengan yang diumumkan Dinas)'}")
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(
            bytes.fromhex(checkpoint["signature"]), message.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return [f"checkpoint seq {checkpoint['seq']}: tanda tangan tidak sah"]
    problems = []
    if checkpoint["seq"] > chain["chain_head"]["seq"]:
        problems.append(f"checkpoint seq {checkpoint['seq']} melewati kepala rantai saat ekspor")
    for event in events:
        if event["seq"] == checkpoint["seq"] and event["hash"] != checkpoint["head_hash"]:
            problems.append(f"seq {event['seq']}: hash berbeda dengan checkpoint bertanda tangan")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description="Periksa paket bukti audit secara luring.")
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parent))
    parser.add_argument("--kunci-publik", dest="key",
                        help="kunci publik Ed25519 (hex) yang dipercaya, dari Dinas")
    args = parser.parse_args()
    folder = Path(args.folder)
    events = json.loads((folder / "events.json").read_text(encoding="utf-8"))
    chain = json.loads((folder / "chain.json").read_text(encoding="utf-8"))
    problems = (check_events(events, chain) + check_csv(events, folder / "events.csv")
                + check_case_file(events, chain, folder)
                + check_checkpoint(chain, events, args.key))
    for problem in problems:
        print(f"GAGAL: {problem}")
    if problems:
        print("HASIL: GAGAL")
        return 1
    print(f"HASIL: LULUS — {len(events)} peristiwa, hash cocok; kepala rantai saat ekspor seq "
          f"{chain['chain_head']['seq']}. Keterkaitan dengan kepala rantai diperiksa dengan "
          f"`flask audit verify` di server.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
