"""Complaints and objections (pengaduan / sanggahan): list with the 14-day deadline,
the complaint page with its answer, and the form for a new one."""
