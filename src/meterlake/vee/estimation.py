"""Estimates of missing and rejected interval values, chosen by the length of the gap.

After ``rules.validate`` has filled ``flags``:

1. ``judged``: every on-grid interval read with the value estimation may trust (an override
   edit replaces it) and whether it is rejected (an ``error`` flag not accepted by an edit, or
   a ``reject`` edit);
2. ``targets``: rejected reads plus every missing slot of gaps up to ``max_gap_hours``, with the
   usable reads on either side (ASOF joins);
3. one candidate per method and target: ``linear`` interpolation between those neighbours,
   ``similar_day`` (mean of the same time on the same weekday, ``similar_weeks`` weeks either
   side), ``weather_similar_day`` (that mean scaled by the meter's own straight line of daily
   kWh against daily mean temperature: its value at the target day's temperature over its value
   at the similar days' mean temperature) and ``register_prorate`` (the advance of the
   register reads bracketing the gap, less the interval reads inside, shared out in the shape
   of the other estimates);
4. the choice: prorating when a register brackets the gap; linear for gaps up to
   ``linear_max_hours``; else weather-adjusted, else similar day, else linear.

The result is the temporary table ``estimates``; the reads themselves are never changed.
"""

from __future__ import annotations

from typing import Any

import duckdb

from meterlake.vee.settings import VeeSettings
from meterlake.vee.working_set import US_PER_DAY, US_PER_HOUR

_JUDGED = """
CREATE OR REPLACE TEMP TABLE judged AS
WITH errors AS (
    SELECT DISTINCT s.sid, f.reading_date_time AS t FROM flags f
    JOIN series s ON s.meter_id = f.meter_id AND s.obis_code = f.obis_code
    WHERE f.severity = 'error' AND f.reading_type = 'INT'),
decided AS (
    SELECT s.sid, e.reading_date_time AS t, e.action, e.value FROM edits e
    JOIN series s ON s.meter_id = e.meter_id AND s.obis_code = e.obis_code
    WHERE e.reading_type = 'INT')
SELECT g.sid, g.us, g.step_us,
    CASE WHEN d.action = 'override' THEN d.value ELSE g.v END AS v,
    CASE WHEN d.action = 'reject' THEN true
         WHEN d.action IN ('accept', 'override') THEN false
         ELSE x.sid IS NOT NULL END AS rejected
FROM grid g
LEFT JOIN errors x ON x.sid = g.sid AND x.t = g.t
LEFT JOIN decided d ON d.sid = g.sid AND d.t = g.t"""

_USABLE = """
CREATE OR REPLACE TEMP TABLE usable AS
SELECT sid, us, step_us, v FROM judged WHERE NOT rejected AND v IS NOT NULL"""

_TARGETS = """
CREATE OR REPLACE TEMP TABLE targets AS
WITH wanted AS (
    SELECT sid, us, step_us FROM judged WHERE rejected
    UNION ALL
    SELECT sid, unnest(range(prev_us + step_us, us, step_us)) AS us, step_us
    FROM grid WHERE us - prev_us > step_us AND us - prev_us - step_us <= $max_gap_us),
near AS (SELECT u.* FROM usable u SEMI JOIN (SELECT DISTINCT sid FROM wanted) w ON u.sid = w.sid)
SELECT w.sid, w.us, w.step_us, p.us AS prev_us, p.v AS prev_v, n.us AS next_us, n.v AS next_v,
    (n.us - p.us) // w.step_us - 1 AS gap_intervals
FROM wanted w
ASOF LEFT JOIN near p ON w.sid = p.sid AND w.us > p.us
ASOF LEFT JOIN near n ON w.sid = n.sid AND w.us < n.us"""

_SIMILAR = """
CREATE OR REPLACE TEMP TABLE similar_days AS
SELECT t.sid, t.us, avg(u.v) AS similar_day
FROM targets t CROSS JOIN range(-$weeks, $weeks + 1) k(k)
JOIN usable u ON u.sid = t.sid AND u.us = t.us + k.k * $week_us
WHERE k.k <> 0
GROUP BY ALL"""

#: The similar-day value scaled by the meter's own temperature response: a straight line of
#: its complete days' kWh against the day's mean temperature (over the days read), evaluated
#: at the target day's temperature over its value at the similar days' mean temperature
#: (the ratio kept within 1/$max_ratio .. $max_ratio).
_WEATHER = """
CREATE OR REPLACE TEMP TABLE weather_similar AS
WITH temps AS (
    SELECT epoch_us(day::TIMESTAMP) // $day_us AS day_number, temperature FROM temperature),
days AS (
    SELECT sid, us // $day_us AS day_number, sum(v) AS kwh FROM usable
    GROUP BY ALL HAVING count(*) * min(step_us) = $day_us),
fit AS (
    SELECT d.sid, regr_slope(d.kwh, t.temperature) AS slope,
        regr_intercept(d.kwh, t.temperature) AS intercept
    FROM days d JOIN temps t ON t.day_number = d.day_number
    GROUP BY 1 HAVING count(*) >= $min_days),
used AS (
    SELECT t.sid, t.us, avg(u.v) AS similar_value, avg(c.temperature) AS similar_temperature
    FROM targets t CROSS JOIN range(-$weeks, $weeks + 1) k(k)
    JOIN usable u ON u.sid = t.sid AND u.us = t.us + k.k * $week_us
    JOIN temps c ON c.day_number = u.us // $day_us
    WHERE k.k <> 0
    GROUP BY ALL),
modelled AS (
    SELECT u.sid, u.us, u.similar_value, f.intercept + f.slope * d.temperature AS at_target,
        f.intercept + f.slope * u.similar_temperature AS at_similar
    FROM used u JOIN fit f ON f.sid = u.sid
    JOIN temps d ON d.day_number = u.us // $day_us)
SELECT sid, us,
    similar_value * greatest(least(at_target / at_similar, $max_ratio), 1 / $max_ratio)
        AS weather_similar_day
FROM modelled WHERE at_target > 0 AND at_similar > 0"""

_CANDIDATES = """
CREATE OR REPLACE TEMP TABLE candidates AS
SELECT t.*,
    CASE WHEN t.prev_us IS NOT NULL AND t.next_us IS NOT NULL
         THEN t.prev_v + (t.next_v - t.prev_v) * (t.us - t.prev_us) / (t.next_us - t.prev_us)
    END AS linear,
    s.similar_day, w.weather_similar_day
FROM targets t
LEFT JOIN similar_days s ON s.sid = t.sid AND s.us = t.us
LEFT JOIN weather_similar w ON w.sid = t.sid AND w.us = t.us"""

#: Register brackets around targets: the advance less the usable interval reads inside, shared
#: out in proportion to the other estimates (evenly when they are all zero or missing). Used
#: only when every slot of the bracket is a usable read or a target.
_PRORATED = """
CREATE OR REPLACE TEMP TABLE prorated AS
WITH brackets AS (
    SELECT meter_id, prev_us AS a, us AS b, advance FROM registers
    WHERE advance IS NOT NULL AND us - prev_us <= $max_bracket_us),
imports AS (
    SELECT sid, meter_id FROM series WHERE NOT list_contains($export, obis_code)),
inside AS (
    SELECT c.sid, c.us, c.step_us, i.meter_id, b.a, b.b, b.advance,
        greatest(coalesce(c.weather_similar_day, c.similar_day, c.linear, 0), 0) AS shape
    FROM candidates c JOIN imports i ON i.sid = c.sid
    JOIN brackets b ON b.meter_id = i.meter_id AND c.us >= b.a AND c.us < b.b),
known AS (
    SELECT b.meter_id, b.a, b.b, sum(u.v) AS known, count(*) AS n
    FROM brackets b JOIN imports i ON i.meter_id = b.meter_id
    JOIN usable u ON u.sid = i.sid AND u.us >= b.a AND u.us < b.b
    GROUP BY ALL),
shared AS (
    SELECT i.*, greatest(i.advance - coalesce(k.known, 0), 0) AS missing,
        i.advance - coalesce(k.known, 0) AS balance, coalesce(k.n, 0) AS known_n,
        count(*) OVER bracket AS target_n, sum(i.shape) OVER bracket AS shape_sum
    FROM inside i LEFT JOIN known k ON k.meter_id = i.meter_id AND k.a = i.a AND k.b = i.b
    WINDOW bracket AS (PARTITION BY i.meter_id, i.a, i.b))
SELECT sid, us,
    CASE WHEN shape_sum > 0 THEN missing * shape / shape_sum ELSE missing / target_n END
        AS register_prorate
FROM shared
WHERE known_n + target_n = (b - a) // step_us AND balance >= -$tolerance"""

_ESTIMATES = """
CREATE OR REPLACE TEMP TABLE estimates AS
SELECT s.meter_id, s.obis_code, make_timestamp(us) AS reading_date_time,
    CASE method WHEN 'register_prorate' THEN register_prorate WHEN 'linear' THEN linear
        WHEN 'weather_similar_day' THEN weather_similar_day ELSE similar_day END
        AS estimated_value,
    method, gap_intervals
FROM (SELECT c.*, p.register_prorate,
        CASE WHEN p.register_prorate IS NOT NULL THEN 'register_prorate'
             WHEN c.linear IS NOT NULL AND c.gap_intervals * c.step_us <= $linear_us THEN 'linear'
             WHEN c.weather_similar_day IS NOT NULL THEN 'weather_similar_day'
             WHEN c.similar_day IS NOT NULL THEN 'similar_day'
             WHEN c.linear IS NOT NULL THEN 'linear'
        END AS method
      FROM candidates c
      LEFT JOIN prorated p ON p.sid = c.sid AND p.us = c.us) m
JOIN series s ON s.sid = m.sid
WHERE method IS NOT NULL"""


def estimate(con: duckdb.DuckDBPyConnection, settings: VeeSettings) -> None:
    """Fill the temporary table ``estimates`` (``targets``: everything that needed one).

    Needs the tables of ``working_set.prepare`` and ``rules.validate`` (``flags``,
    ``registers``).
    """
    options = settings.estimation
    con.execute(_JUDGED)
    con.execute(_USABLE)
    con.execute(_TARGETS, {"max_gap_us": int(options.max_gap_hours * US_PER_HOUR)})
    con.execute(_SIMILAR, {"weeks": options.similar_weeks, "week_us": 7 * US_PER_DAY})
    con.execute(
        _WEATHER,
        {
            "weeks": options.similar_weeks,
            "week_us": 7 * US_PER_DAY,
            "day_us": US_PER_DAY,
            "min_days": options.weather_min_days,
            "max_ratio": options.weather_max_ratio,
        },
    )
    con.execute(_CANDIDATES)
    con.execute(_PRORATED, _prorate_params(settings))
    con.execute(_ESTIMATES, {"linear_us": int(options.linear_max_hours * US_PER_HOUR)})


def _prorate_params(settings: VeeSettings) -> dict[str, Any]:
    return {
        "max_bracket_us": int(settings.estimation.register_max_hours * US_PER_HOUR),
        "export": settings.rules.negative.export_obis_codes,
        "tolerance": settings.rules.register_mismatch.abs_tolerance_kwh,
    }
