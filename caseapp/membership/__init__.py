"""Membership as BPJS sees it: the status page, status file imports, the lapse job."""
