"""Typed settings: defaults < ``meterlake.toml`` in the lake root < ``MLK_*`` environment variables.

Settings are built once at the edge (CLI, API) and passed down explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from meterlake.errors import ConfigError
from meterlake.formats.mapping import ColumnMapping

SETTINGS_FILE = "meterlake.toml"


class Settings(BaseSettings):
    """Everything a lake run can be told."""

    model_config = SettingsConfigDict(env_prefix="MLK_", extra="forbid")

    root: Path = Field(default_factory=Path.cwd, description="lake root: landing/ and the zones")
    engine: Literal["duckdb"] = "duckdb"
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
        default_factory=list, description="when set, every API route but /health needs one"
    )
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins")
    ml_endpoint_name: str = Field(
        default="active", description="model alias (or version) that forecasts use by default"
    )
    calendar_timezone: str = Field(
        default="UTC", description="zone whose calendar days date_str and the aggregates follow"
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
