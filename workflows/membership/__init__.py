"""Membership as BPJS sees it: status files, the lapse (nonaktif) and reactivation."""
