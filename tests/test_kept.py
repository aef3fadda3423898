"""caseapp/admin/kept.py: a value is made once per key, and a full store starts again
rather than growing past its limit."""
from caseapp.admin.kept import Kept


def test_made_once_per_key_and_emptied_when_full():
    kept, made = Kept(limit=2), []

    def make(value):
        return lambda: made.append(value) or value.upper()

    assert [kept.get(k, make(k)) for k in ("a", "b", "a", "b")] == ["A", "B", "A", "B"]
    assert made == ["a", "b"]
    assert kept.get("c", make("c")) == "C"  # full: emptied, then "c" kept
    assert kept.get("a", make("a")) == "A" and made == ["a", "b", "c", "a"]
    assert kept.get("c", make("c")) == "C" and made == ["a", "b", "c", "a"]
