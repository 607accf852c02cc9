"""London "LCL" smart-meter CSV (reference section 2.1): the 6-column original and Kaggle's 3."""

from __future__ import annotations

from meterlake.formats.layout import CsvLayout

#: Header as published, including the trailing space of the fourth name.
LCL_HEADER = ("LCLid", "stdorToU", "DateTime", "KWH/hh (per half hour) ", "Acorn", "Acorn_grouped")
KAGGLE_HEADER = ("LCLid", "tstp", "energy(kWh/hh)")

LONDON = CsvLayout(
    name="london",
    columns=("lclid", "stdortou", "datetime", "kwh", "acorn", "acorn_grouped"),
    meter_id="lclid",
    timestamp="datetime",
    value="kwh",
)

KAGGLE = CsvLayout(
    name="london_kaggle",
    columns=("lclid", "tstp", "kwh"),
    meter_id="lclid",
    timestamp="tstp",
    value="kwh",
)


def match_london(header: list[str]) -> CsvLayout | None:
    """The reference's detection rule: 2nd column ``stdortou`` -> original, else Kaggle."""
    names = [name.strip().lower() for name in header]
    if len(names) == len(LCL_HEADER) and names[0] == "lclid" and names[1] == "stdortou":
        return LONDON
    if len(names) == len(KAGGLE_HEADER) and names[0] == "lclid" and names[1] == "tstp":
        return KAGGLE
    return None
