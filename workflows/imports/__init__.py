"""Importing interchange files (design.md, "Interchange files"): reading the table
(``spreadsheet``), checking one cell (``values``), and applying a whole file as one
dated, all-or-nothing dataset (``datasets``)."""
