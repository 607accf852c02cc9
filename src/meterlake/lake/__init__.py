"""The lake on disk: zone layout, atomic commits, the ingested-file ledger and run records."""
