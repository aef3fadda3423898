"""Compliance reports (PDF) and exports (XLSX, CSV): the web page and the shared
generation path used by the page and by ``flask report``."""
