"""The top bar's search: from a NIK, KK number, application number, KPJ or name to the case."""
