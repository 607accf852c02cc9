"""Engines run the pipeline's table work; DuckDB is the default, Spark arrives as an extra."""

from meterlake.engines.base import Engine, MergedMonth, Reject, StagedFile

__all__ = ["Engine", "MergedMonth", "Reject", "StagedFile"]
