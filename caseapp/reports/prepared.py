"""What a builder hands back to the service: how to name and attribute the file,
and how to finish it once the read transaction is over."""
import re
from dataclasses import dataclass
from typing import Callable

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Prepared:
    file_stem: str
    entity: tuple[str, str]          # audit entity_type, entity_id
    # Called with a progress callback (pages done, pages) or None; renderers that do
    # not count pages ignore it.
    finish: Callable[..., bytes]


def safe_stem(*parts) -> str:
    return "_".join(_UNSAFE.sub("-", str(p)).strip("-") for p in parts if str(p))[:120]


def ready(content: bytes) -> Callable[..., bytes]:
    return lambda progress=None: content
