"use strict";
// Anomalies: the reference's "Dip" and "Spike" dashboards on one page. Consumption against the
// expected band with the chosen kind marked and sized by importance; average dip/spike in kWh
// and cost; year-to-date count; the weekdays they fall on; weekly actual vs anomalous cost.
(function () {
  const ML = window.ML;
  const { addDays, api, bandSeries, chart, chartBox, el, fixed, isoDay, mean, ms, round, section, select } = ML;
  const KINDS = [
    ["dip", "Dip"],
    ["spike", "Spike"],
  ];
  const FLAG = { dip: -1, spike: 1 };
  const COLOUR = { dip: "#d62728", spike: "#ff7f0e" };
  const WEEKDAY_ORDER = [1, 2, 3, 4, 5, 6, 0]; // Mon .. Sun
  let rows = [];
  let weekly = new Map();

  // Marker area grows with importance; importance 0 is a 6 px dot, capped at 30 px.
  function markerSize(importance) {
    return Math.min(30, 6 + 12 * Math.sqrt(Math.max(0, importance || 0)));
  }

  function choice() {
    return {
      year: document.getElementById("year").value,
      kind: document.getElementById("kind").value,
      cost: ML.costPerKwh(),
    };
  }

  function renderStats({ year, kind, cost }, marked) {
    const label = kind === "dip" ? "Dip" : "Spike";
    const kwh = mean(marked.map((row) => row.consumption));
    ML.setTiles("anomaly-tiles", [
      [`Average ${label} (cost)`, kwh === null ? "-" : fixed(kwh * cost, 2), "average_cost"],
      [`Average ${label} (kWh)`, kwh === null ? "-" : fixed(kwh, 2), "average_kwh"],
      [`YTD ${label}s ${year}`, String(marked.length), "count"],
    ]);
  }

  function renderBand({ kind }, yearRows, marked) {
    chart("band-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["consumption", "expected band", kind] },
      grid: { left: 55, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: "kWh per day" },
      series: [
        ...bandSeries(
          "expected low",
          "expected band",
          yearRows.map((r) => [ms(r.day), r.yhat_lower, r.yhat_upper]),
          "#7FC97F",
        ),
        {
          name: "consumption",
          type: "line",
          showSymbol: false,
          color: "#774009",
          data: yearRows.map((r) => [ms(r.day), r.consumption]),
        },
        {
          name: kind,
          type: "scatter",
          color: COLOUR[kind],
          symbolSize: (value) => markerSize(value[2]),
          data: marked.map((r) => [ms(r.day), r.consumption, r.importance]),
        },
      ],
    });
  }

  function renderWeekdays({ kind }) {
    const counts = new Map(WEEKDAY_ORDER.map((d) => [d, 0]));
    for (const row of rows) {
      if (row.anomaly === FLAG[kind]) counts.set(ML.weekdayOf(row.day), counts.get(ML.weekdayOf(row.day)) + 1);
    }
    chart("weekday-chart", {
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: WEEKDAY_ORDER.map((d) => ML.WEEKDAYS[d].slice(0, 3)) },
      series: [{ name: kind, type: "bar", color: COLOUR[kind], data: WEEKDAY_ORDER.map((d) => counts.get(d)) }],
    });
  }

  function renderWeekly({ kind, cost }, yearRows, marked) {
    const weeks = [...new Set(yearRows.map((r) => ML.weekStart(r.day)))].sort();
    const anomalous = new Map(weeks.map((w) => [w, 0]));
    for (const row of marked) anomalous.set(ML.weekStart(row.day), anomalous.get(ML.weekStart(row.day)) + row.consumption * cost);
    chart("weekly-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["Actual", kind === "dip" ? "Dip" : "Spike"] },
      grid: { left: 55, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: weeks },
      yAxis: { type: "value", name: "cost" },
      series: [
        {
          name: "Actual",
          type: "bar",
          stack: "cost",
          color: "#5470c6",
          data: weeks.map((w) => (weekly.has(w) ? round(weekly.get(w) * cost, 4) : null)),
        },
        {
          name: kind === "dip" ? "Dip" : "Spike",
          type: "bar",
          stack: "cost",
          color: COLOUR[kind],
          data: weeks.map((w) => round(anomalous.get(w), 4)),
        },
      ],
    });
  }

  function render() {
    const chosen = choice();
    ML.setParams({ year: chosen.year, kind: chosen.kind });
    const yearRows = rows.filter((r) => r.day.startsWith(chosen.year));
    const marked = yearRows.filter((r) => r.anomaly === FLAG[chosen.kind]);
    renderStats(chosen, marked);
    renderBand(chosen, yearRows, marked);
    renderWeekdays(chosen);
    renderWeekly(chosen, yearRows, marked);
  }

  async function show(summary) {
    const span = { start: isoDay(summary.first_day), end: addDays(summary.last_day, 1) };
    const id = summary.meter_id;
    const [anomalies, weeks] = await Promise.all([
      api(`/v1/meters/${id}/anomalies`, span),
      api(`/v1/meters/${id}/consumption`, { ...span, period: "week" }),
    ]);
    rows = anomalies;
    weekly = new Map(weeks.map((w) => [w.start, w.kwh]));
    const years = [...new Set(rows.map((r) => r.day.slice(0, 4)))].sort();
    const current = document.getElementById("year").value || ML.param("year", "");
    const year = years.includes(current) ? current : years[years.length - 1];
    ML.fillSelect(document.getElementById("year"), years.map((y) => [y, y]), year);
    render();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const picker = ML.meterPicker(show);
    document.getElementById("content").append(
      el(
        "div",
        { class: "controls" },
        picker.node,
        select("year", "year", [], ""),
        select("kind", "dashboard", KINDS, ML.param("kind", "dip")),
      ),
      section("Summary", ML.tiles("anomaly-tiles")),
      section("Consumption and the expected band, anomalies sized by importance", chartBox("band-chart", 360)),
      el(
        "div",
        { class: "row" },
        section("Which days are they occurring? (all years)", chartBox("weekday-chart", 280)),
        section("Weekly trend: actual and anomalous cost", chartBox("weekly-chart", 280)),
      ),
    );
    for (const id of ["year", "kind"]) {
      document.getElementById(id).addEventListener("change", () => ML.refresh(async () => render()));
    }
    ML.onCostChange(render);
    ML.refresh(async () => {
      const chosen = await picker.start();
      if (!chosen) throw new Error("the lake has no meters yet");
      await show(chosen);
    });
  });
})();
