"""Spreadsheet imports (DTSEN, participants, intake) pages."""
