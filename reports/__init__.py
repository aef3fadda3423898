"""Read-only reporting: query, build a context, render (PDF through WeasyPrint, XLSX, CSV).

Reports read models and never write; they come with the compliance-report work.
"""
