"""The pipeline's DuckDB-dialect SQL as Spark SQL: sqlglot plus the few rewrites it lacks.

Everything dialect-specific that sqlglot does not translate lives here, in one place:

* ``epoch_us(t)`` is Spark's ``unix_micros(t)``;
* ``timezone(zone, timezone('UTC', t))`` (UTC to a wall clock) is ``from_utc_timestamp``;
* ``timezone('UTC', timezone(zone, t))`` (a wall clock to UTC) is ``to_utc_timestamp``, moved one
  hour later where the wall-clock time happens twice (the autumn clock change): DuckDB reads an
  ambiguous time as the later instant (standard time) and Spark as the earlier one, and both
  engines must store the same instant;
* ``CREATE OR REPLACE TEMP TABLE|VIEW name AS query`` is split into the name and the query, which
  the Spark engine registers as a (cached) temporary view.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

_DIALECT = "spark"


@dataclass(frozen=True)
class SparkStatement:
    """One statement for Spark: a query, and the temporary view it defines (if any)."""

    query: str
    view: str | None = None
    materialise: bool = False


def to_spark(statement: str) -> SparkStatement:
    """Translate one DuckDB statement of the pipeline into Spark SQL."""
    tree: exp.Expr = sqlglot.parse_one(statement, read="duckdb")
    if isinstance(tree, exp.Create):
        query: exp.Expr = tree.expression
        name = tree.this.name
        materialise = str(tree.args.get("kind", "")).upper() == "TABLE"
        return SparkStatement(_spark_sql(query), name, materialise)
    return SparkStatement(_spark_sql(tree))


def _spark_sql(tree: exp.Expr) -> str:
    # A pass rewrites the outermost calls only (their arguments are copied as they were).
    while any(_rewritable(node) for node in tree.find_all(exp.Anonymous)):
        tree = tree.transform(_rewrite)
    return tree.sql(dialect=_DIALECT)


def _rewritable(node: exp.Anonymous) -> bool:
    return node.name.lower() in {"epoch_us", "timezone"}


def _rewrite(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Anonymous):
        return node
    name = node.name.lower()
    if name == "epoch_us":
        return exp.Anonymous(this="unix_micros", expressions=node.expressions)
    if name == "timezone":
        return _zone_change(node)
    return node


def _zone_change(node: exp.Anonymous) -> exp.Expr:
    outer_zone, inner = node.expressions
    if not (isinstance(inner, exp.Anonymous) and inner.name.lower() == "timezone"):
        raise ValueError(f"unsupported time zone expression for Spark: {node.sql('duckdb')}")
    inner_zone, value = inner.expressions
    if _text(inner_zone) == "UTC":  # UTC -> wall clock of outer_zone
        return exp.Anonymous(this="from_utc_timestamp", expressions=[value, outer_zone])
    if _text(outer_zone) != "UTC":
        raise ValueError(f"unsupported time zone expression for Spark: {node.sql('duckdb')}")
    return _later_of_ambiguous(value, inner_zone)


def _later_of_ambiguous(value: exp.Expr, zone: exp.Expr) -> exp.Expr:
    """Wall clock ``value`` in ``zone`` to UTC, choosing the later instant when it is ambiguous."""
    template = (
        "CASE WHEN from_utc_timestamp(to_utc_timestamp(v, z) + INTERVAL 1 HOUR, z) = v"
        " THEN to_utc_timestamp(v, z) + INTERVAL 1 HOUR ELSE to_utc_timestamp(v, z) END"
    )
    shape = sqlglot.parse_one(f"SELECT {template}", read=_DIALECT).expressions[0]

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == "v" and not node.table:
            return value.copy()
        if isinstance(node, exp.Column) and node.name == "z" and not node.table:
            return zone.copy()
        return node

    filled: exp.Expr = shape.transform(fill)
    return filled


def _text(node: exp.Expr) -> str | None:
    return node.name if isinstance(node, exp.Literal) and node.is_string else None
