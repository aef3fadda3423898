"""Intake, the verification worklist and the case page."""
