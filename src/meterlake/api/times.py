"""The JSON form of the API's times: ISO 8601 in UTC, naive as the lake stores them.

Pydantic documents a ``datetime`` as JSON Schema's ``date-time``, which requires an offset;
the lake's times carry none (``docs/api.md``), so a client validating a response against the
OpenAPI document rejected every time in it. Response models use ``UtcTime`` to document what
they send: the offset is optional.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import WithJsonSchema

UTC_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"

UtcTime = Annotated[
    datetime,
    WithJsonSchema(
        {"type": "string", "pattern": UTC_TIME, "description": "ISO 8601, UTC (offset optional)"},
        mode="serialization",
    ),
]
