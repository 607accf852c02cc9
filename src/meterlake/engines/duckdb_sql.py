"""SQL text of the DuckDB engine, kept apart from the code that runs it.

Only identifiers the lake owns (folder paths, column names) are formatted into these strings;
every value a user supplies reaches DuckDB as a bound parameter.
"""

from __future__ import annotations

from meterlake.formats.layout import CsvLayout

#: Derived calendar columns of reference section 3.1, from ``reading_date_time``.
CALENDAR = """
    weekofyear(reading_date_time)::INTEGER AS week_of_year,
    day(reading_date_time)::INTEGER AS day_of_month,
    month(reading_date_time)::INTEGER AS month,
    year(reading_date_time)::INTEGER AS year,
    hour(reading_date_time)::INTEGER AS hour,
    minute(reading_date_time)::INTEGER AS minute"""

EXACT = "DECIMAL(18, 6)"


def quote_literal(text: str) -> str:
    """A SQL string literal (for paths and layout constants we own)."""
    return "'" + text.replace("'", "''") + "'"


def read_csv_call(layout: CsvLayout, source: str, rejects: str) -> str:
    """``read_csv`` with explicit column names and types for ``layout``."""
    types = dict.fromkeys(layout.columns, "VARCHAR")
    types[layout.timestamp] = "TIMESTAMP"
    types[layout.value] = "DOUBLE"
    columns = ", ".join(f"{quote_literal(k)}: {quote_literal(v)}" for k, v in types.items())
    nulls = ", ".join(quote_literal(s) for s in layout.null_strings)
    return f"""read_csv({quote_literal(source)}, columns={{{columns}}},
        header={str(layout.has_header).lower()}, delim={quote_literal(layout.delimiter)},
        quote='"', escape='"', nullstr=[{nulls}], auto_detect=false, parallel=true,
        store_rejects=true, rejects_table={quote_literal(rejects)},
        rejects_scan={quote_literal(rejects + "_scan")})"""


def stage_select(layout: CsvLayout, reader: str, file_seq: int) -> str:
    """Canonical clean-zone rows of one file (rows without a meter id are left out).

    An empty field is NULL through the layout's null strings; the id is not trimmed (a trim of
    every id cost a quarter of the read time and LCL ids carry no spaces).
    """
    return f"""
    SELECT "{layout.meter_id}" AS meter_id, {quote_literal(layout.obis_code)} AS obis_code,
        "{layout.timestamp}" AS reading_date_time, "{layout.value}" AS reading_value,
        NULL::VARCHAR AS error_value, {CALENDAR},
        {quote_literal(layout.reading_type)} AS reading_type,
        strftime("{layout.timestamp}", '%Y%m%d') AS date_str,
        {file_seq}::INTEGER AS source_seq
    FROM {reader}
    WHERE "{layout.meter_id}" IS NOT NULL"""


#: Daily columns in the order the business files hold them (partition columns last).
DAILY_COLUMNS = """meter_id, obis_code, reading_date_time, reading_value, error_value, week_of_year,
    day_of_month, month, year, hour, minute, reading_type, date_str"""
KEY = "meter_id, obis_code, reading_type, reading_date_time"


def list_literal(paths: list[str]) -> str:
    """A SQL list of path literals."""
    return "[" + ", ".join(quote_literal(p) for p in paths) + "]"


def rows_view(new_files: list[str], existing_files: list[str]) -> str:
    """Every candidate row of a merge: new clean rows (rank 1) and rewritten partitions (rank 0)."""
    rows = f"""
    SELECT {DAILY_COLUMNS}, source_seq, 1 AS rank FROM read_parquet({list_literal(new_files)})"""
    if existing_files:
        rows += f"""
    UNION ALL
    SELECT {DAILY_COLUMNS}, -1 AS source_seq, 0 AS rank
    FROM read_parquet({list_literal(existing_files)}, hive_partitioning=true,
                      hive_types={{'reading_type': VARCHAR, 'date_str': VARCHAR}})"""
    return f"CREATE OR REPLACE TEMP VIEW candidate_rows AS {rows}"


#: Hashes of keys seen more than once (grouping one integer is much cheaper than four columns).
DUPLICATE_HASHES = f"""
CREATE OR REPLACE TEMP TABLE duplicate_hashes AS
SELECT hash({KEY}) AS h FROM candidate_rows GROUP BY ALL HAVING count(*) > 1"""

#: Keys seen more than once, checked on the real columns: the only rows that need a decision.
DUPLICATE_KEYS = f"""
CREATE OR REPLACE TEMP TABLE duplicate_keys AS
SELECT {KEY} FROM candidate_rows WHERE hash({KEY}) IN (SELECT h FROM duplicate_hashes)
GROUP BY ALL HAVING count(*) > 1"""

#: One row per duplicated key: existing rows win, then the earliest file, then the lowest value.
DUPLICATE_WINNERS = f"""
CREATE OR REPLACE TEMP TABLE duplicate_winners AS
SELECT * EXCLUDE (pick) FROM (
    SELECT *, row_number() OVER (PARTITION BY {KEY}
        ORDER BY rank, source_seq, reading_value NULLS LAST, error_value NULLS LAST) AS pick
    FROM candidate_rows SEMI JOIN duplicate_keys USING ({KEY}))
WHERE pick = 1"""

#: Rows of new files that lost to another row, per file.
DROPPED_BY_FILE = f"""
SELECT source_seq, count(*) FROM candidate_rows SEMI JOIN duplicate_keys USING ({KEY})
WHERE source_seq >= 0 GROUP BY ALL
UNION ALL
SELECT source_seq, -count(*) FROM duplicate_winners WHERE source_seq >= 0 GROUP BY ALL"""

#: The merge result when no key repeats (the common case): every candidate row as it is.
ALL_CANDIDATES = f"SELECT {DAILY_COLUMNS} FROM candidate_rows"

MERGED_DAILY = f"""
SELECT {DAILY_COLUMNS} FROM candidate_rows ANTI JOIN duplicate_keys USING ({KEY})
UNION ALL
SELECT {DAILY_COLUMNS} FROM duplicate_winners"""

AGGREGATE_DAILY = f"""
SELECT meter_id, sum(reading_value::{EXACT})::DOUBLE AS aggregated_consumption, date_str
FROM read_parquet($files, hive_partitioning=true,
                  hive_types={{'reading_type': VARCHAR, 'date_str': VARCHAR}})
GROUP BY meter_id, date_str"""

ROLL_UPS = {
    "weekly": (
        f"""
SELECT meter_id, month, sum(aggregated_consumption::{EXACT})::DOUBLE AS aggregated_consumption,
    year, week_of_year
FROM (SELECT meter_id, aggregated_consumption, strptime(date_str, '%Y%m%d') AS day,
        year(day)::INTEGER AS year, month(day)::INTEGER AS month,
        weekofyear(day)::INTEGER AS week_of_year
      FROM read_parquet($files, hive_partitioning=true, hive_types={{'date_str': VARCHAR}}))
GROUP BY meter_id, year, week_of_year, month""",
        ("year", "week_of_year"),
    ),
    "monthly": (
        f"""
SELECT meter_id, sum(aggregated_consumption::{EXACT})::DOUBLE AS aggregated_consumption,
    year, month
FROM (SELECT meter_id, aggregated_consumption, strptime(date_str, '%Y%m%d') AS day,
        year(day)::INTEGER AS year, month(day)::INTEGER AS month
      FROM read_parquet($files, hive_partitioning=true, hive_types={{'date_str': VARCHAR}}))
GROUP BY meter_id, year, month""",
        ("year", "month"),
    ),
}
