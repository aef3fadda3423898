"""The manifest of a backup: every file's relative path, size and SHA-256.

Writing it is the last step of a backup; checking it is the first of a restore,
and a restore goes no further unless every listed file is there with its size and
hash, nothing else is, and no name can reach outside the backup.
"""
import hashlib
import json
import os
import re
import stat
from pathlib import Path, PurePosixPath

from caseapp.backup import FORMAT, MANIFEST, BackupRefused

_CHUNK = 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _private_file(path: Path):
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def digest(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def entry(root: Path, relative: str) -> dict:
    size, sha = digest(root / relative)
    return {"path": relative, "size": size, "sha256": sha}


def copy_in(source: Path, root: Path, relative: str) -> dict:
    """Copy ``source`` to ``root/relative`` (0600, folders 0700), hashing what is written."""
    target = root / relative
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    sha, size = hashlib.sha256(), 0
    with source.open("rb") as reader, _private_file(target) as writer:
        while chunk := reader.read(_CHUNK):
            writer.write(chunk)
            sha.update(chunk)
            size += len(chunk)
    return {"path": relative, "size": size, "sha256": sha.hexdigest()}


def write_text_in(root: Path, relative: str, text: str) -> dict:
    with _private_file(root / relative) as writer:
        writer.write(text.encode())
    return entry(root, relative)


def write_manifest(root: Path, fields: dict, files: list[dict]) -> str:
    """Write manifest.json (0600); returns its SHA-256, which the audit event carries."""
    body = json.dumps({"format": FORMAT, **fields,
                       "files": sorted(files, key=lambda f: f["path"])},
                      indent=1, sort_keys=True) + "\n"
    with _private_file(root / MANIFEST) as writer:
        writer.write(body.encode())
    return hashlib.sha256(body.encode()).hexdigest()


def safe_name(name) -> bool:
    """A relative POSIX path of plain parts: no ``..``, no root, no backslash, no NUL."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    return (not PurePosixPath(name).is_absolute()
            and all(part not in ("", ".", "..") for part in name.split("/")))


def _present(root: Path) -> set[str]:
    """Every file under ``root`` but the manifest; a link or device is refused outright."""
    found = set()
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            relative = path.relative_to(root).as_posix()
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise BackupRefused(f"{relative} is not a plain file or folder")
            if stat.S_ISREG(mode) and relative != MANIFEST:
                found.add(relative)
    return found


def _load(root: Path) -> dict:
    path = root / MANIFEST
    if not root.is_dir() or root.is_symlink():
        raise BackupRefused(f"{root} is not a backup directory")
    if path.is_symlink() or not path.is_file():
        raise BackupRefused(f"{MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BackupRefused(f"{MANIFEST} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{MANIFEST} is not a {FORMAT} manifest")
    if not isinstance(manifest.get("files"), list):
        raise BackupRefused(f"{MANIFEST} lists no files")
    for field in ("created_at", "backend", "alembic_revision"):
        if not isinstance(manifest.get(field), str):
            raise BackupRefused(f"{MANIFEST} gives no {field}")
    return manifest


def checked_manifest(root: Path) -> tuple[dict, str]:
    """The manifest and its SHA-256, once every file matches it; BackupRefused naming the
    first problem otherwise."""
    manifest = _load(root)
    listed = {}
    for item in manifest["files"]:
        name = item.get("path") if isinstance(item, dict) else None
        if not safe_name(name):
            raise BackupRefused(f"unsafe file name in the manifest: {name!r}")
        if name in listed or name == MANIFEST:
            raise BackupRefused(f"{name} is listed twice")
        if not (isinstance(item.get("size"), int) and _HEX64.fullmatch(str(item.get("sha256")))):
            raise BackupRefused(f"{name}: the manifest gives no valid size and SHA-256")
        listed[name] = item
    present = _present(root)
    if missing := sorted(listed.keys() - present):
        raise BackupRefused(f"listed in the manifest but missing: {', '.join(missing[:5])}")
    if extra := sorted(present - listed.keys()):
        raise BackupRefused(f"not in the manifest: {', '.join(extra[:5])}")
    for name, item in sorted(listed.items()):
        size, sha = digest(root / name)
        if size != item["size"]:
            raise BackupRefused(f"{name}: {size} bytes, the manifest says {item['size']}")
        if sha != item["sha256"]:
            raise BackupRefused(f"{name}: the SHA-256 does not match the manifest")
    return manifest, hashlib.sha256((root / MANIFEST).read_bytes()).hexdigest()
