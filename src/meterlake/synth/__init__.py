"""Seeded synthetic smart-meter fleets shaped like the London LCL data set, with ground truth.

``generate_fleet(FleetSpec(...), ...)`` writes half-hourly readings (LCL or Kaggle layout),
hourly weather (Dark Sky schema), meter geo data, and the anomalies and outages it injected.
"""

from meterlake.synth.fleet import expected_rows, generate_fleet
from meterlake.synth.spec import FleetFiles, FleetSpec, validate_spec

__all__ = ["FleetFiles", "FleetSpec", "expected_rows", "generate_fleet", "validate_spec"]
