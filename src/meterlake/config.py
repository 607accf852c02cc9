"""Typed settings: defaults < ``meterlake.toml`` in the lake root < ``MLK_*`` environment variables.

Settings are built once at the edge (CLI, API) and passed down explicitly.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from meterlake.errors import ConfigError
from meterlake.formats.mapping import ColumnMapping
from meterlake.vee.settings import VeeSettings

SETTINGS_FILE = "meterlake.toml"


class PipelineSettings(BaseModel):
    """Parameters of ``meterlake run``: the reference's pipeline configuration (section 4.1).

    Names and defaults as the reference seeds them, but for the window: ``data_start`` and
    ``data_end`` default to the lake's own data (``pipeline/window.py``), since the
    reference's fixed dates lie outside most lakes. ``meter_end`` is inclusive (the reference's
    intent, section 4.6). Set them in ``[pipeline]`` of ``meterlake.toml``, as
    ``MLK_PIPELINE__DATA_END`` and so on, or per run with ``meterlake run --data-end ...``.
    """

    model_config = ConfigDict(extra="forbid")

    data_start: date | None = Field(
        default=None,
        description="first day of history (default: 214 days, the reference's span, before"
        " data_end, clipped to the lake's first read)",
    )
    data_end: date | None = Field(
        default=None,
        description="end of history (exclusive); forecasts start here, anomalies end here"
        " (default: the day after the lake's last read)",
    )
    forecast_period: int = Field(default=7, ge=1, description="forecast horizon in days")
    training_samples: int = Field(default=50, ge=1, description="meters used for training")
    meter_start: int = Field(default=1, ge=1, description="1-based first meter position")
    meter_end: int = Field(default=100, ge=1, description="1-based last meter position")
    batch_size: int = Field(default=25, ge=1, le=100, description="meters per batch (<= 100)")
    model: str = Field(default="gbm", description="model kind `meterlake run` trains")
    retrain: Literal["initial", "stale", "always"] = Field(
        default="stale",
        description="when `run` trains: no model active (initial), also when stale, or always",
    )
    retrain_after_days: int = Field(
        default=30, ge=1, description="stale when data_end is this far past the model's data_end"
    )
    retrain_max_age_days: int | None = Field(
        default=None, ge=1, description="stale when the active model is older than this (days)"
    )
    promote: Literal["always", "beats_baseline"] = Field(
        default="beats_baseline",
        description="activate a retrained model always, or only if it beats seasonal naive",
    )


class Settings(BaseSettings):
    """Everything a lake run can be told."""

    model_config = SettingsConfigDict(env_prefix="MLK_", extra="forbid", env_nested_delimiter="__")

    root: Path = Field(default_factory=Path.cwd, description="lake root: landing/ and the zones")
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="engine of the ingest pipeline (spark: the spark extra)"
    )
    spark_master: str = Field(default="local[*]", description="Spark master URL (engine=spark)")
    spark_conf: dict[str, str] = Field(
        default_factory=dict, description="extra Spark settings of a session meterlake starts"
    )
    lake_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix the lake is published to after each ingest (root is"
        " the writer's working copy)",
    )
    storage_options: dict[str, str] = Field(
        default_factory=dict, description="s3fs options for lake_url (endpoint_url, key, ...)"
    )
    memory_limit: str = Field(default="3GB", description="engine memory cap, DuckDB syntax")
    threads: int | None = Field(default=None, ge=1, description="engine threads; None = all cores")
    progress: bool = True
    formats: dict[str, str] = Field(
        default_factory=dict, description="landing sub-folder -> format name, e.g. landing/mdm"
    )
    mappings: dict[str, ColumnMapping] = Field(
        default_factory=dict, description="named column mappings for other CSV exports"
    )
    source_timezones: dict[str, str] = Field(
        default_factory=dict,
        description="format name -> zone of its naive timestamps (default UTC), e.g. Europe/London",
    )
    api_keys: list[str] = Field(
        default_factory=list,
        description="deprecated (use `meterlake keys add`): unnamed admin keys, in clear text",
    )
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins")
    ml_endpoint_name: str = Field(
        default="active", description="model alias (or version) that forecasts use by default"
    )
    unknown_model_name: Literal["active", "error"] = Field(
        default="active",
        description="an API ml_endpoint_name that names no model: answer with the active model"
        " and say so in the X-Meterlake-Model-Fallback header (active; the reference ignored"
        " the name), or answer a 400 problem (error)",
    )
    pipeline: PipelineSettings = Field(
        default_factory=PipelineSettings, description="parameters of `meterlake run`"
    )
    calendar_timezone: str = Field(
        default="UTC", description="zone whose calendar days date_str and the aggregates follow"
    )
    vee: VeeSettings = Field(
        default_factory=VeeSettings, description="validation, estimation and editing rules"
    )

    @field_validator("calendar_timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return _zone(zone)

    @field_validator("source_timezones")
    @classmethod
    def _known_zones(cls, zones: dict[str, str]) -> dict[str, str]:
        return {name: _zone(zone) for name, zone in zones.items()}

    @property
    def landing(self) -> Path:
        """Folder where MDMS exports are dropped."""
        return self.root / "landing"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: arguments, environment, then the settings file."""
        del dotenv_settings, file_secret_settings
        given = getattr(init_settings, "init_kwargs", {}).get("root")
        root = Path(given or os.environ.get("MLK_ROOT") or Path.cwd())
        toml = TomlConfigSettingsSource(settings_cls, toml_file=root / SETTINGS_FILE)
        return init_settings, env_settings, toml


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def load_settings(**overrides: object) -> Settings:
    """Build settings, translating validation problems into one ``ConfigError``."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
