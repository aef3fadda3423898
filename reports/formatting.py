"""Numbers as Indonesian readers write them, for text laid out before templating
(the web layer's ``rupiah`` filter does the same for pages)."""


def thousands(value) -> str:
    return "-" if value is None else f"{int(value):,}".replace(",", ".")


def rupiah(value) -> str:
    return "-" if value is None else "Rp" + thousands(value)


def percent(part, whole) -> str:
    return "-" if not whole else f"{100 * part / whole:.1f}".replace(".", ",") + "%"
