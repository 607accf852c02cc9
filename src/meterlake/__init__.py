"""meterlake: smart-meter data analytics on a local-first Parquet lake."""

__version__ = "0.1.0"
