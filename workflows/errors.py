"""Refusals a verb can raise; the web layer maps ``status`` to the HTTP code."""


class WorkflowError(Exception):
    status = 400
    attempt = True  # an attempt the auditors should see (caseapp/refusals.py)

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowError):
    """The actor may not do this (role or separation of duties)."""

    status = 403


class InvalidTransition(WorkflowError):
    """The case is not in a state where this can happen."""

    status = 409


class InvalidInput(WorkflowError):
    status = 422


class MissingReference(WorkflowError):
    """A reference row the step needs (UMK, contribution rate, budget year, policy) is
    not entered: a configuration error for the admin, not a verdict on the case."""

    status = 409


class Conflict(WorkflowError):
    """The thing exists already (a username, a worker's application for the year)."""

    status = 409


class Repeated(Conflict):
    """The same step sent again (a double click, back and resubmit) after it was done:
    said so, and nothing is applied twice. Not an attempt at something refused, so not
    recorded as one."""

    attempt = False
