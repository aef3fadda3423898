"""Comparing Indonesian names the way a caseworker would.

The same person is written "Muhamad Rizki", "M. Rizky", "H. Muhammad Rizki" or
"Moch. Rizki" depending on who typed it; old spelling (Djoko, Tjahjo, Soekarno)
lives on in KTPs. Names are reduced to a key that ignores titles, spacing,
punctuation and these spelling variants, then compared by similarity.
"""
import re
from difflib import SequenceMatcher

TITLES = frozenset({
    "h", "hj", "haji", "hajjah", "dr", "drs", "dra", "ir", "prof", "kh", "st", "s", "pd",
    "spd", "se", "sh", "sag", "sos", "ssos", "skom", "amd", "mm", "mpd", "bin", "binti",
})
MUHAMMAD = frozenset({"muhammad", "muhamad", "mohammad", "mohamad", "mochammad",
                      "mochamad", "muhamat", "moh", "moch", "muh", "mhd", "md"})
# Old (Van Ophuijsen / pre-1972) spellings and common variants, applied to both names.
SPELLING = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("sj", "sy"), ("nj", "ny"), ("ch", "h"),
            ("kh", "h"), ("y", "i"), ("z", "j"), ("ph", "f"), ("q", "k"), ("th", "t"))
SIMILAR = 0.85


def name_key(name: str) -> str:
    tokens = re.sub(r"[^a-z ]", " ", name.lower()).split()
    kept = ["muhammad" if t in MUHAMMAD else t for t in tokens if t not in TITLES]
    key = "".join(kept)
    for old, new in SPELLING:
        key = key.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", key)  # doubled letters: "Muhammad" = "Muhamad"


def similarity(a: str, b: str) -> float:
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    return SequenceMatcher(None, key_a, key_b).ratio()


def similar_names(a: str, b: str) -> bool:
    return similarity(a, b) >= SIMILAR
