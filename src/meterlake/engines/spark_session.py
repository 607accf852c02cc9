"""The Spark session meterlake runs on (the ``spark`` extra; Java 17 or newer).

Settings every session gets, whatever the master:

* ``spark.sql.session.timeZone=UTC``: naive lake times are UTC, never the JVM's zone;
* ``spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS``: no INT96 (DuckDB, Athena, Trino);
* ``spark.sql.sources.partitionColumnTypeInference.enabled=false``: ``date_str=20130101`` stays
  text, as DuckDB reads it;
* ``spark.sql.shuffle.partitions`` small by default: the pipeline shuffles per batch of months.

An existing session (``spark-submit``, a notebook, the tests) is reused as it is, with these
settings applied on top.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from meterlake.errors import MissingExtraError

try:
    from pyspark.sql import SparkSession
except ImportError as exc:  # the one place the extra is imported
    raise MissingExtraError("spark", "engine = 'spark'") from exc

SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}
DEFAULT_CONF = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def spark_session(master: str = "local[*]", conf: Mapping[str, str] | None = None) -> Any:
    """The active Spark session, or a new one on ``master`` with ``conf``."""
    active = SparkSession.getActiveSession()
    if active is None:
        builder = SparkSession.builder.master(master).appName("meterlake")
        if master.startswith("local"):  # Python workers run this interpreter (its packages)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = builder.config("spark.pyspark.python", sys.executable)
        for key, value in {**DEFAULT_CONF, **(conf or {})}.items():
            builder = builder.config(key, value)
        active = builder.getOrCreate()
        active.sparkContext.setLogLevel("ERROR")
    for key, value in SESSION_CONF.items():
        active.conf.set(key, value)
    return active
