"""Contribution batches, payments and lapse warnings pages."""
