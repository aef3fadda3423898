"""Argon2id password hashing (argon2-cffi defaults follow RFC 9106's recommendations), and
the strength rule every chosen password passes (ASVS 5.0 V6.2): not on a list of common or
breached passwords, checked offline, and not guessable by zxcvbn's estimate."""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l

_hasher = PasswordHasher()
MIN_LENGTH = 10
# zxcvbn's score 3: "safely unguessable", about 10^8 guesses (an offline attack on a
# stolen Argon2id hash, or years of throttled online guessing).
MIN_SCORE = 3
# What people here put in a password first: the city, the office, the programme.
LOCAL_WORDS = ("bekasi", "disnaker", "kota", "jakarta", "bpjs", "ketenagakerjaan", "sigap",
               "pemkot", "kadis", "petugas", "pegawai", "katasandi", "sandi", "indonesia",
               "merdeka", "bismillah")
# The 30,000 most common passwords of real breaches, ranked; zxcvbn ships the list.
COMMON = frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(LOCAL_WORDS)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_strength(password: str, *, username: str, full_name: str = "") -> None:
    """Refuse a short, common or guessable password (``password12``, ``Bekasi2026!``)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(_l("The password must have at least %(n)d characters.", n=MIN_LENGTH))
    lowered = password.lower()
    if username.lower() in lowered:
        raise InvalidInput(_l("The password must not contain the username."))
    # "Password12", "Bekasi2026!": a common word with digits or signs around it.
    if lowered in COMMON or _EDGES.sub("", lowered) in COMMON:
        raise InvalidInput(_l("This password is on a list of common or leaked passwords; "
                              "choose another."))
    personal = [username, *full_name.lower().split()]
    if zxcvbn(password, user_inputs=[*personal, *LOCAL_WORDS])["score"] < MIN_SCORE:
        raise InvalidInput(_l("This password is too easy to guess: use a longer phrase of "
                              "several unrelated words."))
