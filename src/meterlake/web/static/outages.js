"use strict";
// Outages: events and impacted meters on a plain latitude/longitude plot (local data only, no
// map tiles), the events and locations tables and the reliability indices of the window.
(function () {
  const ML = window.ML;
  const { addDays, api, chart, chartBox, el, fixed, isoDay, section, select } = ML;
  let positions = [];
  let events = [];
  let counts = [];
  let chosen = null;

  function impacted() {
    const byMeter = new Map();
    for (const row of counts) {
      const seen = byMeter.get(row.meter_id) || { outages: 0, minutes: 0 };
      byMeter.set(row.meter_id, { outages: seen.outages + row.outages, minutes: seen.minutes + row.minutes });
    }
    const where = new Map(positions.map((p) => [p.meter_id, p]));
    return [...byMeter.entries()]
      .map(([meter_id, totals]) => ({ meter_id, ...totals, ...(where.get(meter_id) || { lat: null, long: null }) }))
      .sort((a, b) => b.outages - a.outages || a.meter_id.localeCompare(b.meter_id));
  }

  function renderMap(meters) {
    const series = [
      {
        name: "meters",
        type: "scatter",
        color: "#b8c2cc",
        symbolSize: 6,
        data: positions.filter((p) => p.lat !== null).map((p) => [p.long, p.lat, p.meter_id]),
      },
      {
        name: "impacted meters",
        type: "scatter",
        color: "#ff7f0e",
        symbolSize: (value) => Math.min(20, 6 + 3 * value[2]),
        data: meters.filter((m) => m.lat !== null).map((m) => [m.long, m.lat, m.outages, m.meter_id]),
      },
      {
        name: "event centroids",
        type: "scatter",
        symbol: "diamond",
        color: "#d62728",
        symbolSize: 12,
        data: events
          .filter((e) => e.centroid_lat !== null)
          .map((e) => [e.centroid_long, e.centroid_lat, e.meters_affected, e.event_id]),
      },
    ];
    if (chosen) {
      series.push({
        name: "chosen event",
        type: "scatter",
        symbol: "circle",
        color: "#7b2cbf",
        symbolSize: 16,
        data: chosen.meters.filter((m) => m.lat !== null).map((m) => [m.long, m.lat, m.meter_id]),
      });
    }
    chart("map-chart", {
      tooltip: { trigger: "item", formatter: (p) => `${p.seriesName}: ${p.value[p.value.length - 1]}` },
      legend: { data: series.map((s) => s.name) },
      grid: { left: 60, right: 20, top: 40, bottom: 40 },
      xAxis: { type: "value", name: "longitude", scale: true },
      yAxis: { type: "value", name: "latitude", scale: true },
      series,
    });
  }

  function renderTables(meters) {
    ML.setTable(
      "events-table",
      ["event", "start", "restoration", "minutes", "meters", "customers", "centroid", "source", "confidence"],
      events.map((e) => ({
        key: e.event_id,
        cells: [
          e.event_id,
          e.start.replace("T", " "),
          e.restoration.replace("T", " "),
          fixed(e.duration_minutes, 0),
          String(e.meters_affected),
          String(e.customers_affected),
          e.centroid_lat === null ? "-" : `${fixed(e.centroid_lat, 4)}, ${fixed(e.centroid_long, 4)}`,
          e.source,
          fixed(e.confidence, 4),
        ],
      })),
      (key) => {
        document.getElementById("event").value = key;
        document.getElementById("event").dispatchEvent(new Event("change"));
      },
    );
    for (const row of document.querySelectorAll("#events-table tbody tr")) {
      row.classList.toggle("chosen", chosen !== null && row.dataset.key === chosen.event_id);
    }
    ML.setTable(
      "locations-table",
      ["meter", "latitude", "longitude", "outages", "minutes"],
      meters.map((m) => ({
        key: m.meter_id,
        cells: [m.meter_id, fixed(m.lat, 5), fixed(m.long, 5), String(m.outages), fixed(m.minutes, 0)],
      })),
    );
  }

  function renderIndices(indices, meters) {
    ML.setTiles("outage-tiles", [
      ["outage events", String(indices.events), "events"],
      ["impacted meters", String(meters.length), "impacted_meters"],
      ["customers served", String(indices.customers_served), "customers_served"],
      ["customer interruptions", String(indices.customer_interruptions), "customer_interruptions"],
      ["customer minutes", fixed(indices.customer_minutes, 0), "customer_minutes"],
      ["SAIFI", fixed(indices.saifi, 4), "saifi"],
      ["SAIDI (min)", fixed(indices.saidi, 2), "saidi"],
      ["CAIDI (min)", fixed(indices.caidi, 2), "caidi"],
      ["MAIFI", fixed(indices.maifi, 4), "maifi"],
    ]);
  }

  async function load() {
    const span = { start: document.getElementById("start").value, end: document.getElementById("end").value };
    ML.setParams(span);
    let indices;
    [events, counts, indices] = await Promise.all([
      api("/v1/outages", span),
      api("/v1/outages/counts", { ...span, period: "month" }),
      api("/v1/reliability", span),
    ]);
    const wanted = document.getElementById("event").value || ML.param("event", "");
    const options = [["", "all events"], ...events.map((e) => [e.event_id, `${e.event_id} (${e.meters_affected} meters)`])];
    ML.fillSelect(document.getElementById("event"), options, wanted);
    await loadEvent();
    const meters = impacted();
    renderIndices(indices, meters);
    renderMap(meters);
    renderTables(meters);
  }

  async function loadEvent() {
    const id = document.getElementById("event").value;
    ML.setParams({ event: id });
    chosen = id ? await api(`/v1/outages/${id}`) : null;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("content").append(
      el(
        "div",
        { class: "controls" },
        el("label", {}, "from ", el("input", { id: "start", type: "date" })),
        el("label", {}, "to (excluded) ", el("input", { id: "end", type: "date" })),
        select("event", "event", [["", "all events"]], ""),
      ),
      section("Reliability (IEEE 1366) and impact", ML.tiles("outage-tiles")),
      section("Outage map: meters, impacted meters (sized by outages) and event centroids", chartBox("map-chart", 460)),
      section("Outage events", el("table", { id: "events-table" })),
      section("Outage locations", el("table", { id: "locations-table" })),
    );
    for (const id of ["start", "end"]) document.getElementById(id).addEventListener("change", () => ML.refresh(load));
    document.getElementById("event").addEventListener("change", () =>
      ML.refresh(async () => {
        await loadEvent();
        const meters = impacted();
        renderMap(meters);
        renderTables(meters);
      }),
    );
    ML.refresh(async () => {
      const [overview, geo] = await Promise.all([api("/v1/overview"), api("/v1/geo")]);
      positions = geo;
      if (!overview.first_day) throw new Error("the lake has no readings yet");
      document.getElementById("start").value = ML.param("start", isoDay(overview.first_day));
      document.getElementById("end").value = ML.param("end", addDays(overview.last_day, 1));
      await load();
    });
  });
})();
