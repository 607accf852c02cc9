"""The validation rules as SQL over the working set (``working_set.prepare`` comes first).

Each rule is one ``SELECT`` producing flag rows ``(meter_id, obis_code, reading_type,
reading_date_time, rule, severity, detail, measure)``; values reach DuckDB as named parameters.
``validate`` runs the enabled ones into the temporary table ``flags``. Raw values are only read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import duckdb

from meterlake.vee.settings import Rules, VeeSettings
from meterlake.vee.working_set import US_PER_HOUR

RuleSql = tuple[str, dict[str, Any]]

FLAG_COLUMNS = (
    "meter_id VARCHAR, obis_code VARCHAR, reading_type VARCHAR, reading_date_time TIMESTAMP,"
    " rule VARCHAR, severity VARCHAR, detail VARCHAR, measure DOUBLE"
)


def _gap(rules: Rules) -> RuleSql:
    """One flag per gap and calendar day it crosses, at its first missing slot of that day."""
    rule = rules.gap
    return (
        """
    SELECT sid, make_timestamp(slot), 'gap', $severity,
        printf('%d missing interval(s) from %s to %s', missing,
            strftime(make_timestamp(prev_us + step_us), '%Y-%m-%d %H:%M'),
            strftime(make_timestamp(us - step_us), '%Y-%m-%d %H:%M')),
        (us - prev_us - step_us) / 60e6
    FROM (SELECT *, unnest(range(prev_us + step_us, us, step_us)) AS slot
          FROM (SELECT *, (us - prev_us) // step_us - 1 AS missing FROM grid)
          WHERE missing >= $min_intervals)
    WHERE slot = prev_us + step_us OR slot % 86400000000 = 0""",
        {"severity": rule.severity, "min_intervals": rule.min_intervals},
    )


def _duplicate_conflict(rules: Rules) -> RuleSql:
    return (
        """
    SELECT meter_id, obis_code, reading_type, reading_date_time, 'duplicate_conflict', $severity,
        printf('kept %.3f, discarded %.3f (file #%d of ingest run %s)', kept_value,
            discarded_value, source_seq, run_id),
        abs(kept_value - discarded_value)
    FROM conflicts""",
        {"severity": rules.duplicate_conflict.severity},
    )


def _negative(rules: Rules) -> RuleSql:
    rule = rules.negative
    return (
        """
    SELECT i.sid, i.t, 'negative', $severity,
        printf('negative value %.3f on import channel %s', i.v, s.obis_code), i.v
    FROM ints i JOIN series s ON s.sid = i.sid
    WHERE i.v < 0 AND NOT list_contains($export, s.obis_code)""",
        {"severity": rule.severity, "export": rule.export_obis_codes},
    )


def _max_value(rules: Rules) -> RuleSql:
    rule = rules.max_value
    return (
        """
    SELECT sid, t, 'max_value', $severity,
        printf('%.3f kWh above the maximum %.3f kWh (%.1f kW over %d min)', v, limit_kwh, kw,
            (step_us // 60000000)::BIGINT),
        v
    FROM (SELECT i.*, coalesce(l.max_kw, $max_kw) AS kw,
            coalesce(l.max_kw, $max_kw) * i.step_us / 3.6e9 AS limit_kwh
          FROM ints i JOIN series s ON s.sid = i.sid
          LEFT JOIN meter_limits l ON s.meter_id = l.meter_id)
    WHERE v > limit_kwh""",
        {"severity": rule.severity, "max_kw": rule.max_kw},
    )


def _spike(rules: Rules) -> RuleSql:
    rule = rules.spike
    return (
        """
    SELECT i.sid, i.t, 'spike', $severity,
        printf('%.3f kWh is %.1fx the meter''s 99th percentile %.3f kWh', i.v, i.v / p.p99, p.p99),
        i.v
    FROM ints i JOIN percentiles p ON i.sid = p.sid
    WHERE i.v >= $min_kwh AND i.v > $factor * p.p99""",
        {"severity": rule.severity, "min_kwh": rule.min_kwh, "factor": rule.factor},
    )


#: Runs of equal values on adjacent slots, from the flat-line candidates of ``grid`` only.
_RUNS = """
CREATE OR REPLACE TEMP TABLE runs AS
SELECT sid, t, v, step_us,
    count(*) OVER (PARTITION BY sid, run) AS n, min(t) OVER (PARTITION BY sid, run) AS first_t
FROM (SELECT *, sum(CASE WHEN same_prev THEN 0 ELSE 1 END)
        OVER (PARTITION BY sid ORDER BY us ROWS UNBOUNDED PRECEDING) AS run
      FROM grid WHERE same_prev OR same_next)"""


def _run_rule(name: str, zero: bool) -> Callable[[Rules], RuleSql]:
    def rule_sql(rules: Rules) -> RuleSql:
        rule = rules.zero_run if zero else rules.flat_line
        value = "v = 0" if zero else "v <> 0"
        return (
            f"""
    SELECT sid, t, '{name}', $severity,
        printf('%.3f on %d consecutive intervals from %s', v, n,
            strftime(first_t, '%Y-%m-%d %H:%M')),
        n * step_us / 3.6e9
    FROM runs WHERE {value} AND n * step_us >= $min_us""",
            {"severity": rule.severity, "min_us": int(rule.min_hours * US_PER_HOUR)},
        )

    return rule_sql


def _off_grid(rules: Rules) -> RuleSql:
    return (
        """
    SELECT sid, t, 'off_grid', $severity,
        printf('not on the %d-minute grid of the series', (step_us // 60000000)::BIGINT),
        (us % step_us) / 60e6
    FROM ints WHERE us % step_us <> 0""",
        {"severity": rules.off_grid.severity},
    )


def _future(rules: Rules, now: datetime) -> RuleSql:
    rule = rules.future
    return (
        """
    SELECT meter_id, obis_code, reading_type, reading_date_time, 'future', $severity,
        printf('%s is after the validation time %s', strftime(reading_date_time, '%Y-%m-%d %H:%M'),
            strftime($now::TIMESTAMP, '%Y-%m-%d %H:%M')),
        (epoch_us(reading_date_time) - epoch_us($now::TIMESTAMP)) / 3.6e9
    FROM reads WHERE reading_date_time > $limit::TIMESTAMP""",
        {
            "severity": rule.severity,
            "now": now,
            "limit": now + timedelta(minutes=rule.tolerance_minutes),
        },
    )


#: Register reads with the previous one and how the step between them is explained.
_REGISTERS = """
CREATE OR REPLACE TEMP TABLE registers AS
SELECT *,
    CASE WHEN r >= prev_r THEN 'advance'
         WHEN prev_r >= (1 - $share) * $top AND r <= $share * $top THEN 'rollover'
         WHEN r <= $exchange_max THEN 'exchange'
         ELSE 'backwards' END AS kind,
    CASE WHEN r >= prev_r THEN r - prev_r
         WHEN prev_r >= (1 - $share) * $top AND r <= $share * $top THEN r + $top - prev_r
    END AS advance
FROM (SELECT meter_id, obis_code, reading_date_time AS t, epoch_us(reading_date_time) AS us,
        reading_value AS r, lag(reading_value) OVER w AS prev_r,
        lag(epoch_us(reading_date_time)) OVER w AS prev_us
      FROM reads WHERE reading_type = 'AGG' AND reading_value IS NOT NULL
      WINDOW w AS (PARTITION BY meter_id, obis_code ORDER BY reading_date_time))
WHERE prev_r IS NOT NULL"""


def register_params(settings: VeeSettings) -> dict[str, Any]:
    """Parameters of the ``registers`` table."""
    rule = settings.rules.register_backwards
    return {
        "share": rule.rollover_share,
        "top": float(10**rule.digits),
        "exchange_max": rule.exchange_max_kwh,
    }


def _register_backwards(rules: Rules) -> RuleSql:
    return (
        """
    SELECT meter_id, obis_code, 'AGG', t, 'register_backwards', $severity,
        printf('register fell from %.3f to %.3f kWh', prev_r, r), prev_r - r
    FROM registers WHERE kind = 'backwards'""",
        {"severity": rules.register_backwards.severity},
    )


def _register_reset(rules: Rules) -> RuleSql:
    return (
        """
    SELECT meter_id, obis_code, 'AGG', t, 'register_reset', $severity,
        CASE kind
            WHEN 'rollover' THEN printf('register rolled over from %.3f to %.3f kWh', prev_r, r)
            ELSE printf('meter exchange: register restarted at %.3f kWh (was %.3f)', r, prev_r)
        END,
        prev_r - r
    FROM registers WHERE kind IN ('rollover', 'exchange')""",
        {"severity": rules.register_reset.severity},
    )


def _register_mismatch(rules: Rules) -> RuleSql:
    rule = rules.register_mismatch
    return (
        """
    SELECT meter_id, obis_code, 'AGG', t, 'register_mismatch', $severity,
        printf('register advanced %.3f kWh, the %d interval reads since %s sum to %.3f kWh',
            advance, n, strftime(make_timestamp(prev_us), '%Y-%m-%d %H:%M'), total),
        total - advance
    FROM (SELECT r.meter_id, r.obis_code, r.t, r.prev_us, r.us, r.advance,
            sum(g.v) AS total, count(*) AS n, min(g.step_us) AS step_us
          FROM registers r
          JOIN series s ON s.meter_id = r.meter_id AND NOT list_contains($export, s.obis_code)
          JOIN grid g ON g.sid = s.sid AND g.us >= r.prev_us AND g.us < r.us
          WHERE r.advance IS NOT NULL
          GROUP BY ALL)
    WHERE n = (us - prev_us) // step_us AND abs(total - advance) > $abs_tol + $rel_tol * advance""",
        {
            "severity": rule.severity,
            "export": rules.negative.export_obis_codes,
            "abs_tol": rule.abs_tolerance_kwh,
            "rel_tol": rule.rel_tolerance,
        },
    )


#: Rules on interval series: rows ``(sid, reading_date_time, rule, severity, detail, measure)``.
SERIES_RULES: dict[str, Callable[[Rules], RuleSql]] = {
    "gap": _gap,
    "negative": _negative,
    "max_value": _max_value,
    "spike": _spike,
    "flat_line": _run_rule("flat_line", zero=False),
    "zero_run": _run_rule("zero_run", zero=True),
    "off_grid": _off_grid,
}

#: Rules on raw rows and registers: rows with every column of ``flags``.
READ_RULES: dict[str, Callable[[Rules], RuleSql]] = {
    "duplicate_conflict": _duplicate_conflict,
    "register_backwards": _register_backwards,
    "register_reset": _register_reset,
    "register_mismatch": _register_mismatch,
}

_SERIES_FLAGS = """
INSERT INTO flags
SELECT s.meter_id, s.obis_code, 'INT', f.reading_date_time, f.rule, f.severity, f.detail,
    f.measure
FROM series_flags f JOIN series s ON s.sid = f.sid"""


def validate(con: duckdb.DuckDBPyConnection, settings: VeeSettings, now: datetime) -> None:
    """Run every enabled rule into the temporary table ``flags``."""
    rules = settings.rules
    con.execute(f"CREATE OR REPLACE TEMP TABLE flags ({FLAG_COLUMNS})")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE series_flags (sid INTEGER, reading_date_time TIMESTAMP,"
        " rule VARCHAR, severity VARCHAR, detail VARCHAR, measure DOUBLE)"
    )
    con.execute(_RUNS)
    con.execute(_REGISTERS, register_params(settings))
    for name, make in SERIES_RULES.items():
        if getattr(rules, name).enabled:
            sql, params = make(rules)
            con.execute(f"INSERT INTO series_flags {sql}", params)
    con.execute(_SERIES_FLAGS)
    statements = [make(rules) for name, make in READ_RULES.items() if getattr(rules, name).enabled]
    if rules.future.enabled:
        statements.append(_future(rules, now))
    for sql, params in statements:
        con.execute(f"INSERT INTO flags {sql}", params)
