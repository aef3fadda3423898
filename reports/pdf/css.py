"""Text that goes into generated CSS (margin boxes of the page footer)."""
import re

_PLACEHOLDER = re.compile(r"%\((page|pages)\)[sd]")


def css_string(text) -> str:
    """A CSS string literal: quotes, backslashes and control characters escaped,
    newlines as ``\\A`` (the margin box uses ``white-space: pre``).

    It is written inside an HTML ``<style>`` element, which ends at the first
    ``</style`` whatever CSS thinks; so ``<``, ``>`` and ``&`` become CSS escapes
    (six hex digits, so no terminating space is needed) and a name such as
    ``</style><h1>X</h1>`` prints as itself instead of ending the page's CSS."""
    out = []
    for ch in str(text):
        if ch == "\n":
            out.append("\\A ")
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ch in "<>&":
            out.append(f"\\{ord(ch):06x}")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_counter_content(label: str, *, total: int | None = None) -> str:
    """CSS ``content`` for a translated label such as "Page %(page)s of %(pages)s".

    The numbers come from CSS counters; a chunk of a longer document passes the
    known ``total`` instead of ``counter(pages)``, which would count only its own pages.
    """
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(label):
        if match.start() > position:
            parts.append(css_string(label[position:match.start()]))
        if match.group(1) == "page":
            parts.append("counter(page)")
        else:
            parts.append("counter(pages)" if total is None else css_string(total))
        position = match.end()
    if position < len(label):
        parts.append(css_string(label[position:]))
    return " ".join(parts) or '""'
