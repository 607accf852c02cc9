"""The notebooks run top to bottom against the sample lake and its real server (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sample_site import Server

from meterlake.service import MeterLake

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def _run(name: str, tmp_path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    return notebook


def _outputs(notebook: nbformat.NotebookNode, kind: str) -> list[object]:
    return [
        output["data"][kind]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if kind in output.get("data", {})
    ]


@pytest.fixture
def notebook_env(
    monkeypatch: pytest.MonkeyPatch, sample_server: Server, sample_lake: MeterLake
) -> None:
    monkeypatch.setenv("METERLAKE_API", sample_server.base)
    monkeypatch.setenv("MLK_ROOT", str(sample_lake.layout.root))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # no migration warning from jupyter_core


@pytest.mark.usefixtures("notebook_env")
def test_meter_demos_reproduce_the_reference_analyses(tmp_path: Path, sample_lake: MeterLake):
    notebook = _run("meter_demos.ipynb", tmp_path)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert len(_outputs(notebook, "image/png")) == 5  # forecast, stored, anomaly x2, outage map
    text = "\n".join(str(t) for t in _outputs(notebook, "text/plain"))
    assert "MAC000002" in text
    printed = "".join(
        o.get("text", "") for c in notebook.cells for o in c.get("outputs", []) if "text" in o
    )
    assert "12 meters; MAC000002 has data from 2012-11-01 to 2013-02-01" in printed
    # No ERR reads are generated: /outage lists the meters of the inferred outage events.
    count = sample_lake.sql(
        "SELECT count(*) AS n FROM outage_meters WHERE source <> 'err'"
    ).to_pylist()[0]["n"]
    assert count > 0
    assert f"{count} outage item(s): {count} OUTAGE" in printed


@pytest.mark.usefixtures("notebook_env")
def test_monthly_consumption_notebook(tmp_path: Path):
    notebook = _run("monthly_consumption.ipynb", tmp_path)
    assert len(_outputs(notebook, "image/png")) == 1
    html = "\n".join(str(t) for t in _outputs(notebook, "text/html"))
    months = [f"<td>{month}</td>" for month in ("2012-11-01", "2012-12-01", "2013-01-01")]
    assert all(month in html for month in months)
    assert "<td>2013-02-01</td>" not in html  # the sample fleet ends on 31 January 2013
