"""Outage inference: unusual runs of silent or zero intervals, clustered in time and space.

``grid`` turns per-meter bitmasks of reporting intervals into candidate runs, ``cluster`` links
runs that start and end together on nearby meters, ``events`` turns linked runs (and ERR
records) into outage events, ``reliability`` computes IEEE 1366 indices and ``evaluate``
scores events against a generator's ground truth. All pure: arrays and frames in and out.
"""

from meterlake.analytics.outage.params import OutageParams

__all__ = ["OutageParams"]
