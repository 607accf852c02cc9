"""Engines run the pipeline's table work; DuckDB is the default, Spark arrives as an extra."""

from meterlake.engines.base import Engine, MergeBatch, MergeResult, RawSource, Reject, StagedFile

__all__ = ["Engine", "MergeBatch", "MergeResult", "RawSource", "Reject", "StagedFile"]
