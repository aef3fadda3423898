"""Notices to workers: the gateways that send them (gateway.py), the send job
(jobs.py) and the delivery log and consent pages (views.py)."""
