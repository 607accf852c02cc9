"""Lakes on either engine with the settings the Spark tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meterlake.config import Settings
from meterlake.service import MeterLake

SPARK_CONF = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}


def spark_lake(root: Path, **settings: Any) -> MeterLake:
    """A lake whose pipeline runs on the shared local session."""
    return MeterLake(
        Settings(
            root=root, engine="spark", spark_master="local[2]", spark_conf=SPARK_CONF, **settings
        )
    )


def duckdb_lake(root: Path, **settings: Any) -> MeterLake:
    """The same lake on the default engine."""
    return MeterLake(Settings(root=root, threads=1, memory_limit="1GB", **settings))
