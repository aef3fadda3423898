"""Numbers as Indonesian readers write them, for text laid out before templating
(the web layer's ``rupiah`` filter does the same for pages)."""


def thousands(value) -> str:
    return "-" if value is None else f"{int(value):,}".replace(",", ".")


def rupiah(value) -> str:
    return "-" if value is None else "Rp" + thousands(value)


def percent(part, whole) -> str:
    return "-" if not whole else f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def masked_nik(nik: str) -> str:
    """The NIK as papers handed to the worker print it: only the last four digits.

    A receipt or letter may be lost and read by anyone. The hidden twelve digits carry
    the region and the birth date (with the sex), which with the name printed beside
    them would let a finder complete or reuse the identity; the kecamatan prefix would
    add nothing anyway, since the kelurahan is printed on the same paper. The last four
    (a serial) let the worker and the desk match the paper to the KTP at a glance, as
    the data subject pages show it too (privacy/subject.html)."""
    return "*" * (len(nik) - 4) + nik[-4:]


def masked_name(full_name: str) -> str:
    """Initials only: "Siti Aminah" -> "S. A."; for lists that count rather than name."""
    return " ".join(f"{part[0]}." for part in full_name.split() if part) or "-"
