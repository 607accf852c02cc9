"""The VEE rule set and estimation methods as typed settings (``[vee]`` in ``meterlake.toml``).

Every rule has an id (its field name), ``enabled``, a ``severity`` and its parameters; set them
in ``[vee.rules.<id>]`` or as ``MLK_VEE__RULES__SPIKE__FACTOR=4`` and so on. Severity decides
what a flag does to a reading: ``error`` rejects the value (it is estimated instead, and left
out of totals), ``warning`` marks it suspect but keeps it, ``info`` only records the finding.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "warning", "error"]

#: Severity -> rank (higher is worse), as SQL and the reports order them.
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True


class GapRule(_Rule):
    """Missing intervals between two reads of a series (one flag per gap, at its first slot)."""

    severity: Severity = "info"
    min_intervals: int = Field(default=1, ge=1, description="shortest gap flagged")


class DuplicateConflictRule(_Rule):
    """Two rows for the same meter, channel and time with different values (the ingest kept one)."""

    severity: Severity = "warning"


class NegativeRule(_Rule):
    """A negative interval value on an import channel (any channel not listed as export)."""

    severity: Severity = "error"
    export_obis_codes: list[str] = Field(
        default_factory=lambda: ["1-0:2.8.0", "1-0:2.29.0", "1-0:2.9.0"],
        description="OBIS codes of export channels, where negative values are allowed",
    )


class MaxValueRule(_Rule):
    """An interval value above what the connection can physically deliver in that interval."""

    severity: Severity = "error"
    max_kw: float = Field(default=30.0, gt=0, description="default physical maximum, kW")
    per_meter_kw: dict[str, float] = Field(
        default_factory=dict, description="meter id -> its own maximum, kW"
    )


class SpikeRule(_Rule):
    """A value far above the meter's own history: above ``factor`` x its 99th percentile."""

    severity: Severity = "warning"
    factor: float = Field(default=4.0, gt=1, description="multiple of the meter's p99")
    min_kwh: float = Field(default=1.0, ge=0, description="values below this are never spikes")


class FlatLineRule(_Rule):
    """The same non-zero value on consecutive intervals for at least ``min_hours``."""

    severity: Severity = "warning"
    min_hours: float = Field(default=6.0, gt=0)


class ZeroRunRule(_Rule):
    """Zero on consecutive intervals for at least ``min_hours``."""

    severity: Severity = "warning"
    min_hours: float = Field(default=24.0, gt=0)


class OffGridRule(_Rule):
    """A timestamp that is not a multiple of the series' interval."""

    severity: Severity = "error"


class FutureRule(_Rule):
    """A timestamp later than the time of the VEE run (plus a tolerance)."""

    severity: Severity = "error"
    tolerance_minutes: float = Field(default=0.0, ge=0)


class RegisterBackwardsRule(_Rule):
    """A register (AGG) read below the previous one, unless a rollover or exchange explains it."""

    severity: Severity = "error"
    digits: int = Field(default=6, ge=1, le=12, description="register digits (rolls over at 10^d)")
    rollover_share: float = Field(
        default=0.1, gt=0, lt=0.5, description="a rollover drops from the top to the bottom share"
    )
    exchange_max_kwh: float = Field(
        default=100.0, ge=0, description="a new meter's first read is at most this (exchange)"
    )


class RegisterResetRule(_Rule):
    """A register going backwards that a rollover or a meter exchange explains (recorded only)."""

    severity: Severity = "info"


class RegisterMismatchRule(_Rule):
    """Complete interval reads between two register reads that do not add up to its advance."""

    severity: Severity = "warning"
    abs_tolerance_kwh: float = Field(default=0.1, ge=0)
    rel_tolerance: float = Field(default=0.02, ge=0)


class Rules(BaseModel):
    """The rule set; a field name is the rule's id."""

    model_config = ConfigDict(extra="forbid")

    gap: GapRule = Field(default_factory=GapRule)
    duplicate_conflict: DuplicateConflictRule = Field(default_factory=DuplicateConflictRule)
    negative: NegativeRule = Field(default_factory=NegativeRule)
    max_value: MaxValueRule = Field(default_factory=MaxValueRule)
    spike: SpikeRule = Field(default_factory=SpikeRule)
    flat_line: FlatLineRule = Field(default_factory=FlatLineRule)
    zero_run: ZeroRunRule = Field(default_factory=ZeroRunRule)
    off_grid: OffGridRule = Field(default_factory=OffGridRule)
    future: FutureRule = Field(default_factory=FutureRule)
    register_backwards: RegisterBackwardsRule = Field(default_factory=RegisterBackwardsRule)
    register_reset: RegisterResetRule = Field(default_factory=RegisterResetRule)
    register_mismatch: RegisterMismatchRule = Field(default_factory=RegisterMismatchRule)


class Estimation(BaseModel):
    """How gaps and rejected values are estimated, by the length of the gap."""

    model_config = ConfigDict(extra="forbid")

    linear_max_hours: float = Field(
        default=2.0, ge=0, description="gaps up to this long: linear interpolation"
    )
    similar_weeks: int = Field(
        default=4, ge=1, le=8, description="same-weekday days used on each side of a gap"
    )
    weather_min_days: int = Field(
        default=14, ge=3, description="complete days a meter needs for its temperature line"
    )
    weather_max_ratio: float = Field(
        default=1.5, gt=1, description="largest weather adjustment of a similar-day value"
    )
    max_gap_hours: float = Field(
        default=24.0 * 14, gt=0, description="longer gaps are flagged but not estimated"
    )
    register_max_hours: float = Field(
        default=24.0 * 7, gt=0, description="longest register bracket used for prorating"
    )


class VeeSettings(BaseModel):
    """Validation, estimation and editing of meter reads (docs/vee.md)."""

    model_config = ConfigDict(extra="forbid")

    on_ingest: bool = Field(default=True, description="validate after `meterlake ingest`")
    interval_minutes: int | None = Field(
        default=None, ge=1, description="interval of every series; None: each series' usual step"
    )
    default_interval_minutes: int = Field(
        default=30, ge=1, description="interval of a series with a single read"
    )
    history_days: int = Field(
        default=28, ge=1, description="days before the validated ones read for context"
    )
    batch_days: int = Field(default=28, ge=1, description="days validated in one pass")
    focus_max_days: int = Field(
        default=7,
        ge=0,
        description="batches spanning up to this many days read their history only for the"
        " meters that need it (the same results, faster for a few new days); 0: never",
    )
    stopped_after_hours: float = Field(
        default=48.0, gt=0, description="silent this long before the lake's last read: stopped"
    )
    rules: Rules = Field(default_factory=Rules)
    estimation: Estimation = Field(default_factory=Estimation)
