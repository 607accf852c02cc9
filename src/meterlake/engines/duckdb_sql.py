"""The pipeline's SQL: one definition in DuckDB's dialect, run by every engine.

The DuckDB engine runs these statements as they are; the Spark engine transpiles them with
sqlglot (``meterlake.engines.transpile``). Where the two engines read files differently, the
builders take a ``Relation`` (files -> a table expression) instead of naming ``read_parquet``.
Statements stay within what both engines share: no ``UPDATE``, no ``* EXCLUDE``, no unsigned
integers.

Only identifiers the lake owns (folder paths, column names, layout constants) are formatted into
these strings; every value a user supplies reaches DuckDB as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from meterlake.formats.layout import UNITS, CsvLayout
from meterlake.formats.mdm import FIXED_WIDTH_TIMES
from meterlake.formats.mrasco import SETTLEMENT_TIMEZONE

#: Derived calendar columns of reference section 3.1, from the reading's time on the lake's
#: calendar (``local_time``; the UTC ``reading_date_time`` itself when the calendar is UTC).
CALENDAR = """
    weekofyear(local_time)::INTEGER AS week_of_year,
    day(local_time)::INTEGER AS day_of_month,
    month(local_time)::INTEGER AS month,
    year(local_time)::INTEGER AS year,
    hour(local_time)::INTEGER AS hour,
    minute(local_time)::INTEGER AS minute"""

EXACT = "DECIMAL(18, 6)"
KEY = "meter_id, obis_code, reading_type, reading_date_time"

#: Business ``daily`` columns in file order, derived from the merged candidate rows, without the
#: partition columns.
DAILY_COLUMNS = f"meter_id, obis_code, reading_date_time, reading_value, error_value, {CALENDAR}"
DAILY_OUT = f"{DAILY_COLUMNS}, reading_type, strftime(local_time, '%Y%m%d') AS date_str"
#: The ``yyyyMMdd`` partition key as an integer: from year 1000 on its folder name is the same as
#: the text's, and DuckDB partitions rows 20-25 % faster by an integer than by a string.
DAY_KEY = (
    "(year(local_time) * 10000 + month(local_time) * 100 + day(local_time))::INTEGER AS date_str"
)
#: Meter-days before year 1000, whose integer key would lose the text's leading zero.
EARLY_DAYS = "SELECT count(*) FROM meter_days WHERE day < DATE '1000-01-01'"


def to_utc(column: str, zone: str) -> str:
    """A naive time written in ``zone`` as naive UTC."""
    return (
        column if zone == "UTC" else f"timezone('UTC', timezone({quote_literal(zone)}, {column}))"
    )


def to_local(column: str, zone: str) -> str:
    """A naive UTC time on ``zone``'s wall clock."""
    return (
        column if zone == "UTC" else f"timezone({quote_literal(zone)}, timezone('UTC', {column}))"
    )


def quote_literal(text: str) -> str:
    """A SQL string literal (for paths and layout constants we own)."""
    return "'" + text.replace("'", "''") + "'"


def list_literal(paths: Sequence[str]) -> str:
    """A SQL list of path literals."""
    return "[" + ", ".join(quote_literal(p) for p in paths) + "]"


#: (Parquet files, Hive partition columns in their paths) -> a table expression over them.
Relation = Callable[[Sequence[str], tuple[str, ...]], str]
DAILY_PARTITIONS = ("reading_type", "date_str")


def read_parquet(files: Sequence[str], partitions: tuple[str, ...]) -> str:
    """DuckDB's relation over Parquet files; partition columns are read as text."""
    if not partitions:
        return f"read_parquet({list_literal(files)})"
    types = ", ".join(f"{quote_literal(column)}: VARCHAR" for column in partitions)
    return f"read_parquet({list_literal(files)}, hive_partitioning=true, hive_types={{{types}}})"


def read_csv_call(layout: CsvLayout, source: str, rejects: str, compression: str) -> str:
    """``read_csv`` with explicit column names and types for ``layout``.

    A digit-only time pattern is read as text and parsed strictly (``strict_times``).
    """
    strict = FIXED_WIDTH_TIMES.get(layout.timestamp_format or "")
    types = dict.fromkeys(layout.columns, "VARCHAR")
    types[layout.timestamp] = "VARCHAR" if strict else "TIMESTAMP"
    if not layout.value_holds_errors:
        types[layout.value] = "DOUBLE"
    columns = ", ".join(f"{quote_literal(k)}: {quote_literal(v)}" for k, v in types.items())
    nulls = ", ".join(quote_literal(s) for s in layout.null_strings)
    time_format = (
        f", timestampformat={quote_literal(layout.timestamp_format)}"
        if layout.timestamp_format and not strict
        else ""
    )
    call = f"""read_csv({quote_literal(source)}, columns={{{columns}}},
        header={str(layout.has_header).lower()}, delim={quote_literal(layout.delimiter)},
        quote='"', escape='"', nullstr=[{nulls}], auto_detect=false, parallel=true,
        compression={quote_literal(compression)}{time_format},
        store_rejects=true, rejects_table={quote_literal(rejects)},
        rejects_scan={quote_literal(rejects + "_scan")})"""
    return strict_times(layout, call) if strict else call


def strict_times(layout: CsvLayout, reader: str) -> str:
    """``reader`` with its digit-only times parsed at exactly their width (else NULL).

    DuckDB only: the Spark reader matches the same widths with its own regular expression.
    """
    column = f'trim("{layout.timestamp}")'
    shape = quote_literal(FIXED_WIDTH_TIMES[layout.timestamp_format or ""])
    pattern = quote_literal(layout.timestamp_format or "")
    parsed = (
        f"CASE WHEN regexp_full_match({column}, {shape}) THEN try_strptime({column}, {pattern}) END"
    )
    return f'(SELECT * REPLACE ({parsed} AS "{layout.timestamp}") FROM {reader})'


VALID_TYPES = "('INT', 'AGG', 'ERR')"
VALID_UNITS = "(" + ", ".join(f"'{unit}'" for unit in UNITS) + ")"


def _row_fields(layout: CsvLayout) -> list[str]:
    """Per-row fields a layout carries besides id, time and value, as staging columns."""
    fields = []
    if layout.value_holds_errors:
        value = f'"{layout.value}"'
        fields.append(f"{_value_in_kwh(layout)} AS reading_value")
        fields.append(
            f"CASE WHEN TRY_CAST({value} AS DOUBLE) IS NULL THEN trim({value}) END AS error_value"
        )
    else:
        fields.append(f"{_value_in_kwh(layout)} AS reading_value")
        if layout.error_column:
            fields.append(f"nullif(trim(\"{layout.error_column}\"), '') AS error_value")
    if layout.unit_column:
        fields.append(f'upper(trim("{layout.unit_column}")) AS unit')
    if layout.obis_column:
        fields.append(f"coalesce(trim(\"{layout.obis_column}\"), '') AS obis_code")
    if layout.type_column:
        kind = f'upper(trim("{layout.type_column}"))'
        if layout.swap_int_agg:
            kind = f"CASE {kind} WHEN 'INT' THEN 'AGG' WHEN 'AGG' THEN 'INT' ELSE {kind} END"
        fields.append(f"{kind} AS reading_type")
    return fields


def _value_in_kwh(layout: CsvLayout) -> str:
    """The value column converted to kWh (Wh divided, so that 1500 Wh is exactly 1.5 kWh).

    Where the value column also holds error codes, only what reads as a number is a value.
    """
    value = f'"{layout.value}"'
    if layout.value_holds_errors:
        return f"TRY_CAST({value} AS DOUBLE)"
    if layout.unit_column:
        unit = f'upper(trim("{layout.unit_column}"))'
        return (
            f"CASE {unit} WHEN 'WH' THEN {value} / 1000.0 WHEN 'KWH' THEN {value}"
            f" WHEN 'MWH' THEN {value} * 1000.0 END"
        )
    factor = UNITS[layout.unit.upper()]
    return value if factor == 1.0 else f"{value} / 1000.0" if factor < 1 else f"{value} * 1000.0"


def _invalid_condition(layout: CsvLayout) -> str:
    """Rows the merge leaves out: no meter id, unknown reading type, unknown unit."""
    condition = "meter_id IS NULL"
    if layout.type_column:
        condition += f" OR reading_type NOT IN {VALID_TYPES} OR reading_type IS NULL"
    if layout.unit_column:
        condition += f" OR unit NOT IN {VALID_UNITS} OR unit IS NULL"
    return condition


def stage_select(layout: CsvLayout, reader: str, file_seq: int) -> str:
    """The columns of one file that vary per row, for the run's staging area.

    Layout constants (``obis_code``, ``reading_type``) are not materialised per row: writing three
    constant columns cost a third of the read. A row whose meter id, time or value cannot be kept
    (see ``kept_row``) is staged with a NULL id so that it is counted, and the merge leaves it out:
    one bad value costs one row, never the file. Its year and month are 0 when it has no time.
    """
    utc = to_utc(f'"{layout.timestamp}"', layout.source_timezone)
    local = to_local(utc, layout.calendar_timezone)
    meter_id = f"CASE WHEN {kept_row(layout, utc)} THEN {_trimmed_id(layout)} END"
    return f"""
    SELECT {meter_id} AS meter_id, {utc} AS reading_date_time,
        {", ".join(_row_fields(layout))}, {file_seq}::INTEGER AS source_seq,
        coalesce(year({local}), 0)::INTEGER AS year, coalesce(month({local}), 0)::INTEGER AS month
    FROM {reader}"""


#: Blanks around a meter id (``' MAC000002 '`` is ``MAC000002``): ASCII white space and every
#: Unicode space separator (a no-break space from a spreadsheet, too).
ID_BLANKS = r"^[ \t\n\r\f\v\p{Z}]+|[ \t\n\r\f\v\p{Z}]+$"
#: Characters no meter id holds: control characters and U+FFFD (bytes that were not UTF-8).
ID_GARBLED = r"[\p{Cc}\x{FFFD}]"
#: Longest meter id kept; a longer one is a broken line, not an id.
MAX_ID_LENGTH = 64
#: Magnitude of the largest value the lake sums exactly (``DECIMAL(18, 6)``), in kWh.
MAX_KWH = 1e12
#: Times the lake keeps: years 1 to 9999 (what Arrow, Python and Spark all represent).
TIME_RANGE = "TIMESTAMP '0001-01-01 00:00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999'"


def _trimmed_id(layout: CsvLayout) -> str:
    return f"regexp_replace(\"{layout.meter_id}\", '{ID_BLANKS}', '', 'g')"


def kept_row(layout: CsvLayout, utc: str) -> str:
    """Whether a row can be kept: a plausible meter id, a time in range, a finite value.

    A NaN, an infinity or a value beyond ``MAX_KWH`` would abort the exact daily sums.
    """
    meter_id = _trimmed_id(layout)
    value = _value_in_kwh(layout)
    return (
        f"({meter_id} <> '' AND length({meter_id}) <= {MAX_ID_LENGTH}"
        f" AND NOT regexp_matches({meter_id}, '{ID_GARBLED}')"
        f" AND {utc} BETWEEN {TIME_RANGE}"
        f" AND ({value} IS NULL OR abs({value}) < {MAX_KWH:.0f}))"
    )


def invalid_staged_rows(
    layout: CsvLayout, files: Sequence[str], relation: Relation = read_parquet
) -> str:
    """Count of staged rows the merge leaves out."""
    return f"""SELECT count(*) FROM {relation(files, ())}
    WHERE {_invalid_condition(layout)}"""


def _staged_column(layout: CsvLayout, column: str, present: bool, constant: str | None) -> str:
    if present:
        return column
    return "NULL::VARCHAR" if constant is None else quote_literal(constant)


def candidates_view(
    groups: Sequence[tuple[Sequence[str], CsvLayout]],
    existing_files: Sequence[str],
    calendar_timezone: str = "UTC",
    relation: Relation = read_parquet,
) -> str:
    """Every candidate row of a merge: staged rows (rank 1) and rewritten partitions (rank 0).

    ``local_time`` is the reading's time on its layout's calendar: the lake's, except for MRASCo
    flows, whose rows belong to their Europe/London settlement day (all 50 periods of the autumn
    clock change on that day).
    """
    selects = []
    for files, layout in groups:
        local = to_local("reading_date_time", layout.calendar_timezone)
        obis = _staged_column(layout, "obis_code", bool(layout.obis_column), layout.obis_code)
        kind = _staged_column(layout, "reading_type", bool(layout.type_column), layout.reading_type)
        has_error = bool(layout.error_column) or layout.value_holds_errors
        error = _staged_column(layout, "error_value", has_error, None)
        invalid = _invalid_condition(layout)
        valid = "meter_id IS NOT NULL" if invalid == "meter_id IS NULL" else f"NOT ({invalid})"
        selects.append(f"""
    SELECT meter_id, {obis} AS obis_code, {kind} AS reading_type, reading_date_time,
        reading_value, {error} AS error_value, source_seq, 1 AS rank, {local} AS local_time
    FROM {relation(files, ())}
    WHERE {valid}""")
    if existing_files:
        selects.append(f"""
    SELECT meter_id, obis_code, reading_type, reading_date_time, reading_value, error_value,
        -1 AS source_seq, 0 AS rank, {_stored_local(calendar_timezone)} AS local_time
    FROM {relation(existing_files, DAILY_PARTITIONS)}""")
    return "CREATE OR REPLACE TEMP VIEW candidate_rows AS " + "\nUNION ALL".join(selects)


def _stored_local(calendar_timezone: str) -> str:
    """The calendar time a committed row was stored with: the lake's, or the settlement day's.

    Its stored day and hour tell which (a settlement-dated row differs from the lake's calendar
    in the hour), so that rewriting a partition never moves its rows to another day.
    """
    lake = to_local("reading_date_time", calendar_timezone)
    if calendar_timezone == SETTLEMENT_TIMEZONE:
        return lake
    settlement = to_local("reading_date_time", SETTLEMENT_TIMEZONE)
    return (
        f"CASE WHEN day_of_month = day({lake}) AND hour = hour({lake}) THEN {lake}"
        f" ELSE {settlement} END"
    )


#: (reading_type, day) partitions the staged rows touch; days are cheap to derive, strings not.
TOUCHED = "SELECT DISTINCT reading_type, local_time::DATE FROM candidate_rows WHERE rank = 1"

GROUP = "meter_id, obis_code, reading_type, day"
_SLOT = "epoch_us(local_time)"
_US_PER_DAY, _US_PER_SLOT = 86_400_000_000, 900_000_000

#: One row per meter-day: its readings counted, summed exactly, and their quarter-hour slots as
#: a 96-bit mask (three 32-bit words, so that no shift overflows a signed 64-bit integer). A
#: meter-day repeats a key only if its count exceeds the slots it fills (or a reading sits off
#: the quarter-hour grid): grouping 48x fewer keys than readings is what makes de-duplication
#: cheap, and the exact sums are the daily aggregates.
METER_DAYS = f"""
CREATE OR REPLACE TEMP TABLE meter_days AS
SELECT {GROUP}, count(*) AS n, sum(reading_value::{EXACT}) AS total,
    bit_or(CASE WHEN slot < 32 THEN 1::BIGINT << slot::INTEGER ELSE 0::BIGINT END) AS mask0,
    bit_or(CASE WHEN slot >= 32 AND slot < 64 THEN 1::BIGINT << (slot - 32)::INTEGER
        ELSE 0::BIGINT END) AS mask1,
    bit_or(CASE WHEN slot >= 64 THEN 1::BIGINT << (slot - 64)::INTEGER ELSE 0::BIGINT END)
        AS mask2,
    bool_or(off_grid) AS off_grid
FROM (SELECT meter_id, obis_code, reading_type, reading_value,
        local_time::DATE AS day,
        (({_SLOT} % {_US_PER_DAY} + {_US_PER_DAY}) % {_US_PER_DAY}) // {_US_PER_SLOT} AS slot,
        {_SLOT} < 0 OR {_SLOT} % {_US_PER_SLOT} <> 0 AS off_grid
      FROM candidate_rows)
GROUP BY ALL"""

#: Meter-days that may repeat a key: only their readings need an exact decision.
DIRTY_DAYS = f"""
CREATE OR REPLACE TEMP TABLE dirty_days AS
SELECT {GROUP} FROM meter_days
WHERE off_grid OR n <> bit_count(mask0) + bit_count(mask1) + bit_count(mask2)"""

_IN_DIRTY_DAY = """c.meter_id = d.meter_id AND c.obis_code = d.obis_code
    AND c.reading_type = d.reading_type AND c.local_time::DATE = d.day"""

DIRTY_ROWS = f"""
CREATE OR REPLACE TEMP TABLE dirty_rows AS
SELECT c.* FROM candidate_rows c SEMI JOIN dirty_days d ON {_IN_DIRTY_DAY}"""

#: Columns of a candidate row.
CANDIDATE = (
    "meter_id, obis_code, reading_type, reading_date_time, reading_value, error_value,"
    " source_seq, rank, local_time"
)

#: One row per key of the dirty meter-days: existing rows win, then the earliest file, then the
#: lowest value.
KEPT_ROWS = f"""
CREATE OR REPLACE TEMP TABLE kept_rows AS
SELECT {CANDIDATE} FROM (
    SELECT *, row_number() OVER (PARTITION BY {KEY}
        ORDER BY rank, source_seq, reading_value NULLS LAST, error_value NULLS LAST) AS pick
    FROM dirty_rows)
WHERE pick = 1"""

#: Rows of staged files that lost to another row, per file.
DROPPED_BY_FILE = """
SELECT source_seq, count(*) FROM dirty_rows WHERE source_seq >= 0 GROUP BY ALL
UNION ALL
SELECT source_seq, -count(*) FROM kept_rows WHERE source_seq >= 0 GROUP BY ALL"""

#: The merge result when no meter-day is dirty (the common case): every candidate row.
ALL_CANDIDATES = "CREATE OR REPLACE TEMP VIEW merged_rows AS SELECT * FROM candidate_rows"

MERGED = f"""
CREATE OR REPLACE TEMP VIEW merged_rows AS
SELECT c.* FROM candidate_rows c ANTI JOIN dirty_days d ON {_IN_DIRTY_DAY}
UNION ALL
SELECT {CANDIDATE} FROM kept_rows"""

#: Rows that lost to a kept row of another value (VEE's ``duplicate_conflict`` evidence).
CONFLICTS = """
SELECT d.meter_id, d.obis_code, d.reading_type, d.reading_date_time,
    k.reading_value AS kept_value, d.reading_value AS discarded_value, d.source_seq,
    strftime(d.local_time, '%Y%m%d') AS date_str
FROM dirty_rows d JOIN kept_rows k
    ON d.meter_id = k.meter_id AND d.obis_code = k.obis_code
    AND d.reading_type = k.reading_type AND d.reading_date_time = k.reading_date_time
WHERE d.reading_value <> k.reading_value"""

#: Exact totals of every meter-day: dirty meter-days summed again after de-duplication.
DAY_TOTALS = f"""
CREATE OR REPLACE TEMP VIEW day_totals AS
SELECT m.meter_id, m.obis_code, m.reading_type, m.day, m.total
FROM meter_days m ANTI JOIN dirty_days d
    ON m.meter_id = d.meter_id AND m.obis_code = d.obis_code
    AND m.reading_type = d.reading_type AND m.day = d.day
UNION ALL
SELECT meter_id, obis_code, reading_type, local_time::DATE AS day,
    sum(reading_value::{EXACT}) AS total
FROM kept_rows GROUP BY meter_id, obis_code, reading_type, local_time::DATE"""

#: Totals when no meter-day is dirty: the raw ones.
ALL_DAY_TOTALS = (
    "CREATE OR REPLACE TEMP VIEW day_totals AS"
    " SELECT meter_id, obis_code, reading_type, day, total FROM meter_days"
)

#: ``aggregated_daily`` of every touched day with interval reads (sum of INT reads, reference 3.5).
AGGREGATE_DAILY = """
SELECT meter_id, sum(total)::DOUBLE AS aggregated_consumption, strftime(day, '%Y%m%d') AS date_str
FROM day_totals WHERE reading_type = 'INT'
GROUP BY meter_id, day"""

MERGED_DAILY = f"SELECT {DAILY_OUT} FROM merged_rows"
#: ``MERGED_DAILY`` with the integer day key (for batches without ``EARLY_DAYS``).
MERGED_DAILY_DAY_KEY = f"SELECT {DAILY_COLUMNS}, reading_type, {DAY_KEY} FROM merged_rows"
#: The same without ``reading_type``, for a batch whose rows all share one type: written under
#: that type's folder and partitioned by ``date_str`` alone (one partition key less per row).
MERGED_DAILY_ONE_TYPE = f"SELECT {DAILY_COLUMNS}, {DAY_KEY} FROM merged_rows"


def merged_new_rows(partitions: Sequence[tuple[str, str]]) -> str:
    """This run's rows in partitions that also hold earlier data (their clean-zone share)."""
    by_type: dict[str, list[str]] = {}
    for reading_type, date_str in partitions:
        day = f"{date_str[:4]}-{date_str[4:6]}-{date_str[6:]}"
        by_type.setdefault(reading_type, []).append(f"DATE {quote_literal(day)}")
    wanted = " OR ".join(
        f"(reading_type = {quote_literal(t)} AND local_time::DATE IN ({', '.join(days)}))"
        for t, days in sorted(by_type.items())
    )
    return f"SELECT {DAILY_OUT} FROM merged_rows WHERE rank = 1 AND ({wanted})"


def roll_up(kind: str, files: Sequence[str], relation: Relation = read_parquet) -> str:
    """Weekly or monthly sums of the given ``aggregated_daily`` partition files."""
    return ROLL_UPS[kind][0].replace("$files", relation(files, ("date_str",)))


ROLL_UPS = {
    "weekly": (
        f"""
SELECT meter_id, month, sum(aggregated_consumption::{EXACT})::DOUBLE AS aggregated_consumption,
    year, week_of_year
FROM (SELECT meter_id, aggregated_consumption, strptime(date_str, '%Y%m%d') AS day,
        year(day)::INTEGER AS year, month(day)::INTEGER AS month,
        weekofyear(day)::INTEGER AS week_of_year
      FROM $files)
GROUP BY meter_id, year, week_of_year, month""",
        ("year", "week_of_year"),
    ),
    "monthly": (
        f"""
SELECT meter_id, sum(aggregated_consumption::{EXACT})::DOUBLE AS aggregated_consumption,
    year, month
FROM (SELECT meter_id, aggregated_consumption, strptime(date_str, '%Y%m%d') AS day,
        year(day)::INTEGER AS year, month(day)::INTEGER AS month
      FROM $files)
GROUP BY meter_id, year, month""",
        ("year", "month"),
    ),
}
