"""The audit log: recording events, guarding write paths, verifying the chain."""
from workflows.audit.recorder import record, record_change, record_many
from workflows.audit.verify import ChainVerdict, verify_chain

__all__ = ["ChainVerdict", "record", "record_change", "record_many", "verify_chain"]
