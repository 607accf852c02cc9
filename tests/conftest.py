"""Shared fixtures: a tmp lake per test and tiny real-format samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.service import MeterLake

DATA = Path(__file__).parent / "data"


@pytest.fixture
def lake(tmp_path: Path) -> MeterLake:
    """An empty lake rooted in the test's own folder."""
    return MeterLake(Settings(root=tmp_path / "lake", threads=1, memory_limit="1GB"))


@pytest.fixture
def data_dir() -> Path:
    """Folder of the real-format samples."""
    return DATA
