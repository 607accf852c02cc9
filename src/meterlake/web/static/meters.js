"use strict";
// Meter explorer: search a meter; its interval readings for a week and its daily, weekly or
// monthly consumption and cost (at the cost per kWh in the header).
(function () {
  const ML = window.ML;
  const { addDays, api, chart, chartBox, el, fixed, isoDay, ms, round, section, select } = ML;
  const PERIODS = [
    ["day", "daily"],
    ["week", "weekly"],
    ["month", "monthly"],
  ];
  let meter = null;
  let consumption = [];

  function renderInfo() {
    const cost = ML.costPerKwh();
    ML.setTiles("meter-tiles", [
      ["first day", isoDay(meter.first_day), "first_day"],
      ["last day", isoDay(meter.last_day), "last_day"],
      ["days with data", String(meter.days), "days"],
      ["total kWh", fixed(meter.total_kwh, 2), "total_kwh"],
      [`total cost at ${cost}/kWh`, fixed(meter.total_kwh * cost, 2), "total_cost"],
      ["position", meter.lat === null ? "-" : `${fixed(meter.lat, 4)}, ${fixed(meter.long, 4)}`, "position"],
    ]);
  }

  function renderConsumption() {
    const cost = ML.costPerKwh();
    const period = document.getElementById("period").value;
    chart("consumption-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["kWh", "cost"] },
      grid: { left: 55, right: 60, top: 40, bottom: 30 },
      xAxis: { type: "category", data: consumption.map((row) => row.start) },
      yAxis: [
        { type: "value", name: "kWh" },
        { type: "value", name: "cost" },
      ],
      series: [
        { name: "kWh", type: "bar", data: consumption.map((row) => row.kwh) },
        {
          name: "cost",
          type: "line",
          yAxisIndex: 1,
          showSymbol: period !== "day",
          data: consumption.map((row) => (row.kwh === null ? null : round(row.kwh * cost, 4))),
        },
      ],
    });
  }

  async function loadReadings() {
    const start = document.getElementById("week-start").value;
    const rows = await api(`/v1/meters/${meter.meter_id}/readings`, {
      start,
      end: addDays(start, 7),
      resolution: "raw",
    });
    const interval = rows.filter((row) => row.reading_type === "INT");
    chart("readings-chart", {
      tooltip: { trigger: "axis" },
      grid: { left: 55, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: "kWh per half hour" },
      series: [
        {
          name: "interval kWh",
          type: "line",
          showSymbol: false,
          data: interval.map((row) => [ms(row.time), row.kwh]),
        },
      ],
    });
  }

  async function loadConsumption() {
    const period = document.getElementById("period").value;
    consumption = await api(`/v1/meters/${meter.meter_id}/consumption`, {
      start: isoDay(meter.first_day),
      end: addDays(meter.last_day, 1),
      period,
    });
    renderConsumption();
  }

  async function show(chosen) {
    meter = await api(`/v1/meters/${chosen.meter_id}`);
    const week = document.getElementById("week-start");
    week.min = isoDay(meter.first_day);
    week.max = isoDay(meter.last_day);
    const wanted = ML.param("week", "");
    week.value = wanted >= week.min && wanted <= week.max ? wanted : addDays(meter.last_day, -6);
    renderInfo();
    await Promise.all([loadReadings(), loadConsumption()]);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const picker = ML.meterPicker(show);
    const period = select("period", "consumption per", PERIODS, ML.param("period", "day"));
    const week = el("label", {}, "week from ", el("input", { id: "week-start", type: "date" }));
    document.getElementById("content").append(
      el("div", { class: "controls" }, picker.node, period, week),
      section("Meter", ML.tiles("meter-tiles")),
      section("Interval readings (7 days)", chartBox("readings-chart", 280)),
      section("Consumption and cost", chartBox("consumption-chart")),
    );
    document.getElementById("period").addEventListener("change", (event) => {
      ML.setParams({ period: event.target.value });
      ML.refresh(loadConsumption);
    });
    document.getElementById("week-start").addEventListener("change", (event) => {
      ML.setParams({ week: event.target.value });
      ML.refresh(loadReadings);
    });
    ML.onCostChange(() => {
      renderInfo();
      renderConsumption();
    });
    ML.refresh(async () => {
      const chosen = await picker.start();
      if (!chosen) throw new Error("the lake has no meters yet");
      await show(chosen);
    });
  });
})();
