"use strict";
// Data quality (VEE): per-meter completeness, flags by rule, estimated share, the longest gap,
// and the meters that stopped reporting, for a period (docs/vee.md).
(function () {
  const ML = window.ML;
  const { addDays, api, chart, chartBox, el, fixed, isoDay, section } = ML;

  function flagText(flags) {
    return Object.entries(flags)
      .map(([rule, count]) => `${rule}: ${count}`)
      .join(", ");
  }

  function renderTiles(rows) {
    const reporting = rows.filter((r) => r.expected > 0);
    const flags = rows.reduce((sum, r) => sum + Object.values(r.flags).reduce((a, b) => a + b, 0), 0);
    const estimated = rows.reduce((sum, r) => sum + r.estimated, 0);
    const usable = rows.reduce((sum, r) => sum + r.readings - r.rejected, 0);
    ML.setTiles("quality-tiles", [
      ["meters", String(rows.length), "meters"],
      ["mean completeness", `${fixed(100 * (ML.mean(reporting.map((r) => r.completeness)) || 0), 1)} %`, "completeness"],
      ["flags", String(flags), "flags"],
      ["estimated intervals", String(estimated), "estimated"],
      ["share estimated", `${fixed((100 * estimated) / Math.max(usable + estimated, 1), 2)} %`, "share_estimated"],
      ["stopped reporting", String(rows.filter((r) => r.stopped).length), "stopped"],
    ]);
  }

  function renderRules(rows) {
    const totals = new Map();
    for (const row of rows) {
      for (const [rule, count] of Object.entries(row.flags)) totals.set(rule, (totals.get(rule) || 0) + count);
    }
    const rules = [...totals.keys()].sort();
    chart("rules-chart", {
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: rules, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: "flags", minInterval: 1 },
      series: [{ name: "flags", type: "bar", barMaxWidth: 60, data: rules.map((rule) => totals.get(rule)) }],
    });
  }

  function renderTables(rows) {
    const stopped = rows.filter((r) => r.stopped).sort((a, b) => a.last_reading.localeCompare(b.last_reading));
    ML.setTable(
      "stopped-table",
      ["meter", "last reading", "silent for (h)"],
      stopped.map((r) => ({ key: r.meter_id, cells: [r.meter_id, r.last_reading.replace("T", " "), fixed(r.longest_gap_hours, 1)] })),
    );
    document.getElementById("stopped-empty").hidden = stopped.length > 0;
    const worst = [...rows].sort((a, b) => a.completeness - b.completeness || a.meter_id.localeCompare(b.meter_id));
    ML.setTable(
      "meters-table",
      ["meter", "completeness %", "readings / expected", "estimated", "share estimated %", "longest gap (h)", "flags", "stopped"],
      worst.map((r) => ({
        key: r.meter_id,
        cells: [
          r.meter_id,
          fixed(100 * r.completeness, 2),
          `${r.readings} / ${r.expected}`,
          String(r.estimated),
          fixed(100 * r.share_estimated, 2),
          fixed(r.longest_gap_hours, 1),
          flagText(r.flags),
          r.stopped ? "yes" : "",
        ],
      })),
    );
  }

  async function load() {
    const start = document.getElementById("start").value;
    const end = document.getElementById("end").value;
    ML.setParams({ start, end });
    const rows = await api("/v1/quality/meters", { start, end });
    renderTiles(rows);
    renderRules(rows);
    renderTables(rows);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("content").append(
      el(
        "div",
        { class: "controls" },
        el("label", {}, "from ", el("input", { id: "start", type: "date" })),
        el("label", {}, "to (excluded) ", el("input", { id: "end", type: "date" })),
      ),
      section("Fleet data quality", ML.tiles("quality-tiles")),
      section("Flags per rule", chartBox("rules-chart", 280)),
      section(
        "Meters that stopped reporting",
        ML.emptyNote("stopped-empty", "Every meter is reporting."),
        el("table", { id: "stopped-table" }),
      ),
      section("Meters, least complete first", el("table", { id: "meters-table" })),
    );
    for (const id of ["start", "end"]) document.getElementById(id).addEventListener("change", () => ML.refresh(load));
    ML.refresh(async () => {
      const overview = await api("/v1/overview");
      if (!overview.first_day) throw new Error("the lake has no readings yet");
      document.getElementById("start").value = ML.param("start", isoDay(overview.first_day));
      document.getElementById("end").value = ML.param("end", addDays(overview.last_day, 1));
      await load();
    });
  });
})();
