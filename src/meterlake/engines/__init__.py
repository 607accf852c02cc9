"""Engines run the pipeline's table work; DuckDB is the default, Spark arrives as an extra."""

from meterlake.engines.base import Engine, MergeResult, Reject, StagedFile

__all__ = ["Engine", "MergeResult", "Reject", "StagedFile"]
