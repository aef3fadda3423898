"""The claims desk: JKK accidents and JKM deaths of covered participants, recorded
by Disnaker as the wadah, sent to BPJS Ketenagakerjaan, paid or refused there."""
from workflows.claims.documents import read_claim_document, store_claim_document
from workflows.claims.recording import record_claim
from workflows.claims.steps import record_payout, record_rejection, submit_claim

__all__ = ["read_claim_document", "record_claim", "record_payout", "record_rejection",
           "store_claim_document", "submit_claim"]
