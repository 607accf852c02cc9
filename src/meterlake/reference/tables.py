"""The reference tables (weather, geodata, full_geo, cis, households): columns, layouts, schemas.

Reference sections 2.5 (weather, Dark Sky schema), 2.6 (``meter-geo-data.csv`` and
``Full_Geodata.csv``), 2.7 (CIS customers) and 3.8 (catalog table names); ``households`` is the
London data set's ``informations_households.csv`` (each meter's tariff and CACI Acorn group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

Kind = Literal["text", "double", "int32", "int64", "time"]

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "text": pa.string(),
    "double": pa.float64(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "time": pa.timestamp("us"),
}
LATITUDE = (-90.0, 90.0)
LONGITUDE = (-180.0, 180.0)
_ADDRESS_COLUMNS = (
    "streetnumber", "streetname", "municipalitysubdivision", "municipality",
    "countrysecondarysubdivision", "countrysubdivision", "country", "countrycode",
    "countrycodeiso3", "postalcode",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column: its table name, value kind, whether every row needs it, allowed range."""

    name: str
    kind: Kind = "text"
    mandatory: bool = False
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class TableSpec:
    """How one reference table's file is laid out and which columns it yields, in order."""

    name: str
    columns: tuple[Column, ...]
    delimiter: str
    has_header: bool
    description: str

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of the table's rows."""
        return pa.schema([(column.name, ARROW_TYPES[column.kind]) for column in self.columns])


WEATHER = TableSpec(
    name="weather",
    columns=(
        Column("visibility", "double"),
        Column("windbearing", "int64"),
        Column("temperature", "double", mandatory=True),
        Column("time", "time", mandatory=True),
        Column("dewpoint", "double"),
        Column("pressure", "double"),
        Column("apparenttemperature", "double", mandatory=True),
        Column("windspeed", "double"),
        Column("preciptype"),
        Column("icon"),
        Column("humidity", "double", mandatory=True),
        Column("summary"),
    ),
    delimiter=",",
    has_header=True,
    description="Dark Sky hourly weather, ',' with a 12-column header",
)

GEODATA = TableSpec(
    name="geodata",
    columns=(
        Column("meter_id", mandatory=True),
        Column("lat", "double", mandatory=True, bounds=LATITUDE),
        Column("long", "double", mandatory=True, bounds=LONGITUDE),
    ),
    delimiter=",",
    has_header=False,
    description="meter geo data, ',' without header: meter_id,lat,long",
)

FULL_GEO = TableSpec(
    name="full_geo",
    columns=(
        Column("id", mandatory=True),
        Column("lat", "double", mandatory=True, bounds=LATITUDE),
        Column("long", "double", mandatory=True, bounds=LONGITUDE),
        *(Column(name) for name in _ADDRESS_COLUMNS),
        Column("order", "int32"),
        Column("daily_outages", "int32"),
        Column("weekly_outages", "int32"),
        Column("monthly_outages", "int32"),
    ),
    delimiter=",",
    has_header=True,
    description="Full_Geodata addresses and outage counts, ',' with a 17-column header",
)

CIS = TableSpec(
    name="cis",
    columns=(
        Column("customer_id", mandatory=True),
        Column("name"),
        Column("zip"),
        Column("city"),
        Column("state"),
        Column("street"),
        Column("phone"),
        Column("meter_id", mandatory=True),
    ),
    delimiter=";",
    has_header=False,
    description="CIS customers, ';' without header, 8 fields",
)

HOUSEHOLDS = TableSpec(
    name="households",
    columns=(
        Column("lclid", mandatory=True),
        Column("stdortou"),
        Column("acorn"),
        Column("acorn_grouped"),
        Column("file"),
    ),
    delimiter=",",
    has_header=True,
    description="London households, ',' with the header LCLid,stdorToU,Acorn,Acorn_grouped,file",
)

#: Every reference table, in the order detection tries them (headed layouts first).
TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec for spec in (WEATHER, FULL_GEO, HOUSEHOLDS, GEODATA, CIS)
}

#: Table name -> Arrow schema of its rows.
REFERENCE_TABLES: dict[str, pa.Schema] = {name: spec.schema for name, spec in TABLE_SPECS.items()}
