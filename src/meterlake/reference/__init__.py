"""Reference tables beside the readings: weather, meter geo data, full geo data, CIS customers.

``read_reference(path)`` detects the table from the file's content and returns its good rows
as an Arrow table with the table's exact schema (``REFERENCE_TABLES``), plus every bad row with
its line number and reason; files that are none of the tables are rejected whole.
"""

from meterlake.reference.read import detect_reference, read_reference
from meterlake.reference.records import BadRow, ReferenceRead
from meterlake.reference.tables import REFERENCE_TABLES

__all__ = ["REFERENCE_TABLES", "BadRow", "ReferenceRead", "detect_reference", "read_reference"]
