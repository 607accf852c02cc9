"""Canonical column names and Arrow schemas of every lake table (reference sections 3.1, 3.5, 3.8).

``SCHEMA_VERSION`` is written into every run record; bump it when a table's columns change.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

#: Key on which readings are de-duplicated (reference section 3.4, recommendation).
DEDUP_KEY = ("meter_id", "obis_code", "reading_type", "reading_date_time")

#: Reading types: interval reads, aggregated register reads, error (outage) records.
READING_TYPES = ("INT", "AGG", "ERR")
#: The years the API answers for and VEE validates. A read dated outside them (a corrupt clock
#: that still parsed, year 1 or 9999) is kept and queryable, but windows widened around it by
#: days or weeks would run off the calendar.
SERVED_YEARS = (1900, 2200)

#: Clean zone and business ``daily``: data columns in the reference's order, then partitions.
DAILY_DATA = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("reading_value", pa.float64()),
        ("error_value", pa.string()),
        ("week_of_year", pa.int32()),
        ("day_of_month", pa.int32()),
        ("month", pa.int32()),
        ("year", pa.int32()),
        ("hour", pa.int32()),
        ("minute", pa.int32()),
    ]
)
DAILY_PARTITIONS = pa.schema([("reading_type", pa.string()), ("date_str", pa.string())])
DAILY = pa.schema(list(DAILY_DATA) + list(DAILY_PARTITIONS))

#: Clean zone: each run's new rows in the ``daily`` schema, partitioned by run first.
CLEAN = pa.schema([*DAILY, ("run_id", pa.string())])

AGGREGATED_DAILY = pa.schema(
    [("meter_id", pa.string()), ("aggregated_consumption", pa.float64()), ("date_str", pa.string())]
)
AGGREGATED_WEEKLY = pa.schema(
    [
        ("meter_id", pa.string()),
        ("month", pa.int32()),
        ("aggregated_consumption", pa.float64()),
        ("year", pa.int32()),
        ("week_of_year", pa.int32()),
    ]
)
AGGREGATED_MONTHLY = pa.schema(
    [
        ("meter_id", pa.string()),
        ("aggregated_consumption", pa.float64()),
        ("year", pa.int32()),
        ("month", pa.int32()),
    ]
)

#: Anomaly results (reference section 3.8 ``anomaly``): one row per meter and day.
ANOMALY = pa.schema(
    [
        ("meter_id", pa.string()),
        ("ds", pa.string()),
        ("consumption", pa.float64()),
        ("yhat_lower", pa.float64()),
        ("yhat_upper", pa.float64()),
        ("anomaly", pa.int64()),
        ("importance", pa.float64()),
    ]
)

#: Outage events (inferred from readings, from ERR records, or both): one row per event.
OUTAGE_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),
        ("start", pa.timestamp("us")),
        ("restoration", pa.timestamp("us")),
        ("duration_minutes", pa.float64()),
        ("meters_affected", pa.int64()),
        ("customers_affected", pa.int64()),
        ("centroid_lat", pa.float64()),
        ("centroid_long", pa.float64()),
        ("min_lat", pa.float64()),
        ("max_lat", pa.float64()),
        ("min_long", pa.float64()),
        ("max_long", pa.float64()),
        ("source", pa.string()),
        ("confidence", pa.float64()),
    ]
)

#: The meters of each outage event, with their own start and restoration.
OUTAGE_METERS = pa.schema(
    [
        ("event_id", pa.string()),
        ("meter_id", pa.string()),
        ("start", pa.timestamp("us")),
        ("restoration", pa.timestamp("us")),
        ("customers", pa.int64()),
        ("source", pa.string()),
    ]
)

#: Batch forecasts (reference 4.7, intended schema ``meter_id, datetime, consumption`` with
#: ``consumption`` = P90), the quantile columns, the model version and the ``data_end`` partition.
FORECAST = pa.schema(
    [
        ("meter_id", pa.string()),
        ("datetime", pa.timestamp("us")),
        ("consumption", pa.float64()),
        *((f"p{q}", pa.float64()) for q in range(10, 100, 10)),
        ("model", pa.string()),
        ("data_end", pa.string()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("run_id", pa.string()),
        ("file", pa.string()),
        ("line", pa.int64()),
        ("raw", pa.string()),
        ("reason", pa.string()),
    ]
)

#: VEE findings: one row per rule that a reading (or a missing interval) broke (docs/vee.md).
READING_FLAGS = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("detail", pa.string()),
        ("measure", pa.float64()),  # the rule's number: gap minutes, run length, the value, ...
        ("run_id", pa.string()),
        ("date_str", pa.string()),
    ]
)

#: VEE estimates of missing and rejected interval values, beside (never over) the reads.
READING_ESTIMATES = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("estimated_value", pa.float64()),
        ("method", pa.string()),
        ("gap_intervals", pa.int64()),
        ("run_id", pa.string()),
        ("date_str", pa.string()),
    ]
)

#: Duplicate rows with another value than the one the ingest kept (written by the merge).
READING_CONFLICTS = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("kept_value", pa.float64()),
        ("discarded_value", pa.float64()),
        ("source_seq", pa.int32()),
        ("run_id", pa.string()),
        ("date_str", pa.string()),
    ]
)

#: The append-only audit log of edits: overrides, accepts and rejects of single readings.
READING_EDITS = pa.schema(
    [
        ("edit_id", pa.string()),
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("action", pa.string()),
        ("value", pa.float64()),
        ("previous_value", pa.float64()),
        ("reason", pa.string()),
        ("user", pa.string()),
        ("edited_at", pa.timestamp("us")),
        ("findings", pa.string()),
        # Since API keys have names: "user" is the authenticated key's name (or "local"),
        # "role" its role, "note" whatever name the client gave (older edits: null).
        ("role", pa.string()),
        ("note", pa.string()),
    ]
)

#: Partition columns of each partitioned table, in path order.
PARTITIONS: dict[str, tuple[str, ...]] = {
    "daily": ("reading_type", "date_str"),
    "clean": ("run_id", "reading_type", "date_str"),
    "aggregated_daily": ("date_str",),
    "aggregated_weekly": ("year", "week_of_year"),
    "aggregated_monthly": ("year", "month"),
    "forecast": ("data_end",),
    "reading_flags": ("date_str",),
    "reading_estimates": ("date_str",),
    "reading_conflicts": ("run_id", "date_str"),
}
