"""Ingest -> clean -> business -> aggregates, with run records and incremental state."""
