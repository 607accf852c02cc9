"""The model store: versioned artefacts with parameters, data window and metrics, and aliases.

Layout under the lake's ``models/`` folder::

    models/<version>/model.json      kind, parameters, data window, backtest metrics, created
    models/<version>/...             the model's own files (e.g. one LightGBM text file a level)
    models/aliases.json              {"active": "<version>", ...}

A version is written to a temporary folder and renamed into place, and ``aliases.json`` is
replaced atomically, so a reader sees a whole version or none. The ``active`` alias (or the one
named by ``ml_endpoint_name``) plays the reference's stable endpoint name (section 4.5).

Names are checked against ``names`` before they are joined into a path: only a name of a
version's form is ever looked up as a folder, and anything else is looked up in the aliases.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from meterlake.analytics.forecast.backtest import Forecaster
from meterlake.analytics.forecast.names import is_alias, is_version, shown
from meterlake.errors import InputError, NotFoundError

ALIASES = "aliases.json"
META = "model.json"
DEFAULT_ALIAS = "active"


class ModelStore:
    """Versions and aliases in one folder."""

    def __init__(self, folder: Path) -> None:
        """Bind to ``folder`` (created on the first save)."""
        self.folder = folder

    def save(self, model: Forecaster, facts: dict[str, Any]) -> str:
        """Store ``model`` with ``facts`` (data window, metrics); returns the new version."""
        now = datetime.now(UTC)
        version = f"model-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        staging = self.folder / f".staging-{version}"
        staging.mkdir(parents=True)
        params = model.save(staging)
        meta = {
            "version": version,
            "kind": model.kind,
            "created": now.isoformat(timespec="seconds"),
            "params": params,
            **facts,
        }
        (staging / META).write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
        staging.replace(self.folder / version)
        return version

    def versions(self) -> list[dict[str, Any]]:
        """Every version's metadata, newest first, with the aliases pointing at it."""
        if not self.folder.exists():
            return []
        aliases = self.aliases()
        found = []
        for path in self.folder.glob(f"model-*/{META}"):
            meta: dict[str, Any] = json.loads(path.read_text())
            meta["aliases"] = sorted(a for a, v in aliases.items() if v == meta["version"])
            found.append(meta)
        return sorted(found, key=lambda m: str(m["version"]), reverse=True)

    def aliases(self) -> dict[str, str]:
        """Alias -> version."""
        path = self.folder / ALIASES
        return dict(json.loads(path.read_text())) if path.exists() else {}

    def resolve(self, name: str | None = None) -> str | None:
        """The version that ``name`` (a version or an alias; default ``active``) names.

        ``None`` when no name was given and nothing is active; ``NotFoundError`` for an
        unknown name.
        """
        wanted = name or DEFAULT_ALIAS
        if is_version(wanted):
            if (self.folder / wanted / META).exists():
                return wanted
        elif is_alias(wanted):
            version = self.aliases().get(wanted)
            if version is not None:
                return version
            if wanted == DEFAULT_ALIAS:
                return None
        raise NotFoundError(f"no model or alias {shown(wanted)}")

    def show(self, name: str | None = None) -> dict[str, Any]:
        """Metadata of the named (default: active) version."""
        version = self.resolve(name)
        if version is None:
            raise NotFoundError("no model is active; train one with `meterlake train`")
        return next(m for m in self.versions() if m["version"] == version)

    def activate(self, version: str, alias: str = DEFAULT_ALIAS) -> None:
        """Point ``alias`` at ``version`` (an alias may be given and is followed)."""
        target = self.resolve(version)
        if target is None or not (self.folder / target / META).exists():
            raise NotFoundError(f"no model {version!r}")
        if not is_alias(alias):
            raise InputError(f"unusable alias {shown(alias)}: letters, digits, _ . - (<= 64)")
        aliases = {**self.aliases(), alias: target}
        temporary = self.folder / f".{ALIASES}.{uuid.uuid4().hex}"
        temporary.write_text(json.dumps(aliases, indent=1, sort_keys=True))
        temporary.replace(self.folder / ALIASES)

    def load(self, version: str) -> Forecaster:
        """The model stored as ``version``."""
        from meterlake.analytics.forecast.kinds import load_model  # noqa: PLC0415

        if not is_version(version):
            raise NotFoundError(f"no model {shown(version)}")
        folder = self.folder / version
        meta = json.loads((folder / META).read_text())
        return load_model(str(meta["kind"]), folder, dict(meta["params"]))

    def discard_staging(self) -> None:
        """Remove folders of saves that crashed half-way."""
        for path in self.folder.glob(".staging-*"):
            shutil.rmtree(path, ignore_errors=True)
