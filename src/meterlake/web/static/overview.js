"use strict";
// Overview: fleet size, data coverage per day, the latest runs with their counts, data quality.
(function () {
  const { api, chart, chartBox, el, emptyNote, fixed, isoDay, refresh, section, setTable, setTiles, tiles } =
    window.ML;

  function summary(values) {
    return Object.entries(values || {})
      .filter(([, v]) => typeof v === "number" || typeof v === "string")
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
  }

  function renderFleet(overview) {
    const span = overview.first_day
      ? `${isoDay(overview.first_day)} to ${isoDay(overview.last_day)}`
      : "no data";
    setTiles("fleet-tiles", [
      ["meters", String(overview.meters), "meters"],
      ["days covered", String(overview.days), "days"],
      ["data from", span, "span"],
      ["meter-days", String(overview.meter_days), "meter_days"],
      ["total kWh", fixed(overview.kwh, 1), "kwh"],
      ["spikes", String(overview.spikes), "spikes"],
      ["dips", String(overview.dips), "dips"],
      ["forecast hours", String(overview.forecast_rows), "forecast_rows"],
      ["outage events", String(overview.outage_events), "outage_events"],
      ["quarantined rows", String(overview.quarantined_rows), "quarantined_rows"],
    ]);
    const days = overview.coverage.map((row) => row.day);
    chart("coverage-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["meters reporting", "fleet kWh"] },
      grid: { left: 50, right: 60, top: 40, bottom: 30 },
      xAxis: { type: "category", data: days },
      yAxis: [
        { type: "value", name: "meters", minInterval: 1 },
        { type: "value", name: "kWh" },
      ],
      series: [
        { name: "meters reporting", type: "bar", data: overview.coverage.map((r) => r.meters) },
        {
          name: "fleet kWh",
          type: "line",
          yAxisIndex: 1,
          showSymbol: false,
          data: overview.coverage.map((r) => r.kwh),
        },
      ],
    });
  }

  function renderRuns(pipelineRuns, runs) {
    setTable(
      "pipeline-runs",
      ["run", "trigger", "status", "steps"],
      pipelineRuns.map((run) => ({
        key: run.run_id,
        cells: [
          run.run_id,
          run.trigger,
          run.status,
          run.steps.map((s) => `${s.name}: ${s.status} (${summary(s.counts)})`).join("; "),
        ],
      })),
    );
    setTable(
      "runs",
      ["run", "kind", "counts", "totals"],
      runs.map((run) => ({
        key: run.run_id,
        cells: [run.run_id, run.kind || "ingest", summary(run.counts), summary(run.totals)],
      })),
    );
  }

  function renderQuality(rows) {
    setTable(
      "quality",
      ["run", "file", "reason", "rows", "first line"],
      rows.map((row) => ({
        key: `${row.run_id}/${row.file}/${row.reason}`,
        cells: [row.run_id, row.file, row.reason, String(row.rows), String(row.first_line)],
      })),
    );
    document.getElementById("quality-empty").hidden = rows.length > 0;
    document.getElementById("quality").hidden = rows.length === 0;
  }

  async function load() {
    const [overview, pipelineRuns, runs, quality] = await Promise.all([
      api("/v1/overview"),
      api("/v1/pipeline-runs", { limit: 5 }),
      api("/v1/runs", { limit: 10 }),
      api("/v1/quality"),
    ]);
    renderFleet(overview);
    renderRuns(pipelineRuns, runs);
    renderQuality(quality);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("content").append(
      section("Fleet", tiles("fleet-tiles")),
      section("Data coverage: meters reporting and fleet kWh per day", chartBox("coverage-chart")),
      section("Latest pipeline runs", el("table", { id: "pipeline-runs" })),
      section("Latest runs (ingest, vee, detect, forecast, outages)", el("table", { id: "runs" })),
      section(
        "Data quality: quarantined rows",
        emptyNote("quality-empty", "No quarantined rows."),
        el("table", { id: "quality" }),
      ),
    );
    refresh(load);
  });
})();
