"""The only way WeasyPrint may load anything while rendering a report.

A report must never reach the network (an injected ``<img src="http://...">`` in a
worker's name would otherwise leak who looked at what, and make rendering depend on
other servers), nor read arbitrary files. Every URL is refused except the exact
local files on the allow-list: the DejaVu fonts the Debian package installs.
"""
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    ("DejaVu Sans", "normal", "normal"): "DejaVuSans.ttf",
    ("DejaVu Sans", "bold", "normal"): "DejaVuSans-Bold.ttf",
    ("DejaVu Sans", "normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("DejaVu Sans Mono", "normal", "normal"): "DejaVuSansMono.ttf",
}
_MIME = {".ttf": "font/ttf"}


class RefusedURL(ValueError):
    """A URL a report tried to load that is not one of its own local assets."""


def font_url(file_name: str) -> str:
    return path2url(FONT_DIR / file_name)


def font_faces_css() -> str:
    """``@font-face`` rules pointing at the local fonts (loaded through the fetcher)."""
    rules = []
    for (family, weight, style), file_name in FONT_FILES.items():
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                     f'font-style: {style}; src: url("{font_url(file_name)}"); }}')
    return "\n".join(rules)


class LocalOnlyFetcher(URLFetcher):
    """Serves the allow-listed local assets; refuses every other URL (http, https,
    ftp, data, other files). Refusals are kept in ``refused`` for tests and logs."""

    def __init__(self, extra: dict[str, Path] | None = None):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.allowed = {font_url(name): FONT_DIR / name for name in FONT_FILES.values()}
        self.allowed.update(extra or {})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self.allowed.get(url)
        if path is None or not path.is_file():
            self.refused.append(url)
            raise RefusedURL(f"reports load only their own local assets; refused {url[:200]}")
        return URLFetcherResponse(url, body=path.read_bytes(),
                                  headers={"Content-Type": _MIME.get(path.suffix, "")})
