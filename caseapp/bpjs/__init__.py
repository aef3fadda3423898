"""The BPJS registration pages (batches to BPJS Ketenagakerjaan and its replies)."""
