"""The auditor workspace: searching and proving the audit log, read-only."""
