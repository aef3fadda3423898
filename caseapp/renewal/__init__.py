"""The renewal worklist: participants carried into the next budget year (lanjutan)."""
