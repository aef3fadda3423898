"""The lists' search box reads a term as the top bar does (caseapp/search/terms.py):
digits are an exact, indexed lookup, never Flask-Admin's ILIKE '%..%' on every
searchable column (a scan of the table, issue 16); text is part of a name."""
from flask import flash
from sqlalchemy import false

from caseapp.search.terms import read_term
from workflows.messages import lazy_gettext as _l


class LookupSearch:
    """Mixed into a list view; ``lookup_condition`` maps a read term to its rows."""

    lookup_condition = None  # set by the view: staticmethod, Term -> condition on its model

    def search_placeholder(self):
        return _l("NIK, KK, no., KPJ or name")

    def _apply_search(self, query, count_query, joins, count_joins, search):
        term = read_term(search)
        if term.problem:
            flash(term.problem, "error")
            condition = false()
        else:
            condition = self.lookup_condition(term)
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query.filter(condition), count_query, joins, count_joins
