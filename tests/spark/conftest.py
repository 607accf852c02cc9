"""One local Spark session for every Spark test (starting one takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from spark_lakes import SPARK_CONF


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A ``local[2]`` session shared by the whole test session, stopped at its end."""
    from meterlake.engines.spark_session import spark_session  # noqa: PLC0415 (the extra)

    session = spark_session("local[2]", SPARK_CONF)
    yield session
    session.stop()
