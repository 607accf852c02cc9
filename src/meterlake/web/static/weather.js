"use strict";
// Usage vs weather: a meter's weekly consumption and cost against the week's mean apparent
// temperature, for the chosen year and the year before, with the year-over-year differences.
(function () {
  const ML = window.ML;
  const { api, chart, chartBox, el, fixed, mean, round, section, select } = ML;
  let weeks = [];
  let weather = new Map();

  function inYear(year) {
    return weeks.filter((w) => w.start.startsWith(String(year)) && w.kwh !== null);
  }

  function temperatures(year) {
    return [...weather.entries()].filter(([start]) => start.startsWith(String(year))).map(([, w]) => w.apparenttemperature);
  }

  function pair(past, current, digits) {
    return `${fixed(past, digits)} / ${fixed(current, digits)}`;
  }

  function renderYoY(year, cost) {
    const past = mean(inYear(year - 1).map((w) => w.kwh));
    const current = mean(inYear(year).map((w) => w.kwh));
    const pastT = mean(temperatures(year - 1));
    const currentT = mean(temperatures(year));
    ML.setTiles("yoy-tiles", [
      [`Avg weekly kWh: ${year - 1} / ${year}`, pair(past, current, 2), "kwh"],
      [`Avg weekly cost: ${year - 1} / ${year}`, pair(past === null ? null : past * cost, current === null ? null : current * cost, 2), "cost"],
      [`Avg apparent temperature (°C): ${year - 1} / ${year}`, pair(pastT, currentT, 1), "temperature"],
    ]);
  }

  function renderYear(id, year, cost) {
    const rows = inYear(year);
    const starts = rows.map((w) => w.start);
    chart(id, {
      tooltip: { trigger: "axis" },
      legend: { data: ["weekly cost", "apparent temperature"] },
      grid: { left: 55, right: 60, top: 40, bottom: 30 },
      xAxis: { type: "category", data: starts },
      yAxis: [
        { type: "value", name: "cost" },
        { type: "value", name: "°C" },
      ],
      series: [
        { name: "weekly cost", type: "bar", color: "#5470c6", data: rows.map((w) => round(w.kwh * cost, 4)) },
        {
          name: "apparent temperature",
          type: "line",
          yAxisIndex: 1,
          color: "#ee6666",
          data: starts.map((s) => (weather.has(s) ? weather.get(s).apparenttemperature : null)),
        },
      ],
    });
  }

  function render() {
    const year = Number(document.getElementById("year").value);
    const cost = ML.costPerKwh();
    ML.setParams({ year });
    document.getElementById("current-title").textContent = `Current year (${year}): weekly cost and temperature`;
    document.getElementById("past-title").textContent = `Past year (${year - 1}): weekly cost and temperature`;
    renderYoY(year, cost);
    renderYear("current-chart", year, cost);
    renderYear("past-chart", year - 1, cost);
  }

  async function show(summary) {
    const years = ML.yearsOf(summary).map(String);
    const current = document.getElementById("year").value || ML.param("year", "");
    const year = years.includes(current) ? current : years[years.length - 1];
    ML.fillSelect(document.getElementById("year"), years.map((y) => [y, y]), year);
    const span = { start: `${Number(years[0]) - 1}-01-01`, end: `${Number(years[years.length - 1]) + 1}-01-01` };
    const [consumption, temperature] = await Promise.all([
      api(`/v1/meters/${summary.meter_id}/consumption`, { ...span, period: "week" }),
      api("/v1/weather", { ...span, period: "week" }),
    ]);
    weeks = consumption;
    weather = new Map(temperature.map((w) => [w.start, w]));
    render();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const picker = ML.meterPicker(show);
    const titled = (id, chartId) =>
      el("section", { class: "panel" }, el("h2", { id }), chartBox(chartId, 300));
    document.getElementById("content").append(
      el("div", { class: "controls" }, picker.node, select("year", "year", [], "")),
      section("Year over year", ML.tiles("yoy-tiles")),
      titled("current-title", "current-chart"),
      titled("past-title", "past-chart"),
    );
    document.getElementById("year").addEventListener("change", () => ML.refresh(async () => render()));
    ML.onCostChange(render);
    ML.refresh(async () => {
      const chosen = await picker.start();
      if (!chosen) throw new Error("the lake has no meters yet");
      await show(chosen);
    });
  });
})();
