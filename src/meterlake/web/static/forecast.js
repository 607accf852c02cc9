"use strict";
// Forecast: recent history with the pre-computed P10-P90 band and P50 line; the forecast week's
// cost against the average weekly cost of a year; daily actual vs forecast cost; hourly actual
// vs forecast for a chosen weekday.
(function () {
  const ML = window.ML;
  const { addDays, api, bandSeries, chart, chartBox, el, fixed, isoDay, mean, ms, round, section, select } = ML;
  const HISTORY_DAYS = 14;
  const DAILY_DAYS = 28;
  const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
  let meter = null;
  let forecast = [];
  let history = [];
  let daily = [];
  let weeks = [];
  let hourly = [];

  function forecastStart() {
    return forecast.length ? forecast[0].time.slice(0, 10) : null;
  }

  function renderCosts(cost) {
    const year = document.getElementById("year").value;
    const weekKwh = mean(weeks.filter((w) => w.kwh !== null).map((w) => w.kwh));
    const average = weekKwh === null ? null : weekKwh * cost;
    const ahead = forecast.length ? forecast.reduce((sum, r) => sum + r.p50, 0) * cost : null;
    const change = average && ahead !== null ? ((ahead - average) / average) * 100 : null;
    ML.setTiles("forecast-tiles", [
      [`Average weekly cost for ${meter.meter_id} in ${year}`, fixed(average, 2), "average_weekly_cost"],
      [`Forecast weekly cost (P50) from ${forecastStart() || "-"}`, fixed(ahead, 2), "forecast_weekly_cost"],
      ["Forecasted % change", change === null ? "-" : `${fixed(change, 1)}%`, "change"],
    ]);
  }

  function renderBand() {
    chart("forecast-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["actual", "P10-P90", "P50"] },
      grid: { left: 55, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: "kWh per hour" },
      series: [
        { name: "actual", type: "line", showSymbol: false, color: "#1d2733", data: history.map((r) => [ms(r.time), r.kwh]) },
        ...bandSeries("P10", "P10-P90", forecast.map((r) => [ms(r.time), r.p10, r.p90]), "#91cc75"),
        { name: "P50", type: "line", showSymbol: false, color: "#3ba272", data: forecast.map((r) => [ms(r.time), r.p50]) },
      ],
    });
  }

  function renderDaily(cost) {
    const ahead = new Map();
    for (const row of forecast) {
      const day = row.time.slice(0, 10);
      ahead.set(day, (ahead.get(day) || 0) + row.p50);
    }
    const actual = new Map(daily.map((r) => [r.start, r.kwh]));
    const days = [...new Set([...actual.keys(), ...ahead.keys()])].sort();
    chart("daily-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["Actual", "Forecast"] },
      grid: { left: 55, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", name: "cost per day" },
      series: [
        { name: "Actual", type: "line", data: days.map((d) => (actual.has(d) && actual.get(d) !== null ? round(actual.get(d) * cost, 4) : null)) },
        { name: "Forecast", type: "line", data: days.map((d) => (ahead.has(d) ? round(ahead.get(d) * cost, 4) : null)) },
      ],
    });
  }

  function perHour(rows, weekday, value) {
    const sums = HOURS.map(() => []);
    for (const row of rows) {
      if (ML.weekdayOf(row.time) === weekday && value(row) !== null) sums[Number(row.time.slice(11, 13))].push(value(row));
    }
    return sums.map((values) => (values.length ? round(mean(values), 6) : null));
  }

  function renderHourly() {
    const weekday = Number(document.getElementById("weekday").value);
    chart("hourly-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: ["Actual Average", "Forecast Average"] },
      grid: { left: 55, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", name: "hour", data: HOURS },
      yAxis: { type: "value", name: "kWh" },
      series: [
        { name: "Actual Average", type: "bar", data: perHour(hourly, weekday, (r) => r.kwh) },
        { name: "Forecast Average", type: "bar", data: perHour(forecast, weekday, (r) => r.p50) },
      ],
    });
  }

  function render() {
    const cost = ML.costPerKwh();
    ML.setParams({ year: document.getElementById("year").value, weekday: document.getElementById("weekday").value });
    document.getElementById("no-forecast").hidden = forecast.length > 0;
    renderCosts(cost);
    renderBand();
    renderDaily(cost);
    renderHourly();
  }

  async function loadYear() {
    const year = Number(document.getElementById("year").value);
    const span = { start: `${year}-01-01`, end: `${year + 1}-01-01` };
    const id = meter.meter_id;
    [weeks, hourly] = await Promise.all([
      api(`/v1/meters/${id}/consumption`, { ...span, period: "week" }),
      api(`/v1/meters/${id}/readings`, { ...span, resolution: "hour", limit: 10000 }),
    ]);
  }

  async function show(summary) {
    meter = summary;
    const id = summary.meter_id;
    forecast = await api(`/v1/meters/${id}/precomputed-forecast`);
    const start = forecastStart() || addDays(summary.last_day, 1);
    [history, daily] = await Promise.all([
      api(`/v1/meters/${id}/readings`, { start: addDays(start, -HISTORY_DAYS), end: start, resolution: "hour" }),
      api(`/v1/meters/${id}/consumption`, { start: addDays(start, -DAILY_DAYS), end: start, period: "day" }),
    ]);
    const years = ML.yearsOf(summary).map(String);
    const current = document.getElementById("year").value || ML.param("year", "");
    const year = years.includes(current) ? current : years[years.length - 1];
    ML.fillSelect(document.getElementById("year"), years.map((y) => [y, y]), year);
    await loadYear();
    render();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const picker = ML.meterPicker(show);
    const weekdays = ML.WEEKDAYS.map((name, index) => [String(index), name]);
    document.getElementById("content").append(
      el(
        "div",
        { class: "controls" },
        picker.node,
        select("year", "year", [], ""),
        select("weekday", "weekday", weekdays, ML.param("weekday", "4")),
      ),
      el("p", { id: "no-forecast", class: "error", hidden: "", text: "No pre-computed forecast for this meter yet: run meterlake forecast (or meterlake run)." }),
      section("Your forecast for the next week", ML.tiles("forecast-tiles")),
      section(`Last ${HISTORY_DAYS} days and the forecast (P10-P90 band, P50 line)`, chartBox("forecast-chart", 340)),
      el(
        "div",
        { class: "row" },
        section("Daily costs: actual and forecast (P50)", chartBox("daily-chart", 280)),
        section("Average hourly usage vs forecast for the chosen weekday", chartBox("hourly-chart", 280)),
      ),
    );
    document.getElementById("year").addEventListener("change", () =>
      ML.refresh(async () => {
        await loadYear();
        render();
      }),
    );
    document.getElementById("weekday").addEventListener("change", () => ML.refresh(async () => render()));
    ML.onCostChange(render);
    ML.refresh(async () => {
      const chosen = await picker.start();
      if (!chosen) throw new Error("the lake has no meters yet");
      await show(chosen);
    });
  });
})();
