"use strict";
// Shared by every dashboard page: v1 API calls, charts, controls, dates and the ready flag that
// tells a reader (or a browser test) the page shows the data of its current controls.
(function () {
  const KEY_STORAGE = "meterlake.apiKey";
  const COST_STORAGE = "meterlake.costPerKwh";
  const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const charts = {};
  let generation = 0;

  // --- the API -------------------------------------------------------------------------------
  // A server with API keys: open any page once with ?key=... and the browser keeps the key.
  (function takeKey() {
    const params = new URLSearchParams(window.location.search);
    if (!params.has("key")) return;
    window.localStorage.setItem(KEY_STORAGE, params.get("key"));
    params.delete("key");
    const rest = params.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${rest ? `?${rest}` : ""}`);
  })();

  async function api(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const key = window.localStorage.getItem(KEY_STORAGE);
    const response = await fetch(url, { headers: key ? { "X-API-Key": key } : {} });
    const body = await response.json();
    if (!response.ok) throw new Error(`${url.pathname}: ${body.detail || response.status}`);
    return body;
  }

  // --- page state ----------------------------------------------------------------------------
  // Runs one refresh of the page; only the latest refresh marks the page ready.
  async function refresh(work) {
    const mine = ++generation;
    document.body.dataset.ready = "0";
    try {
      await work();
      if (mine === generation) {
        hideError();
        document.body.dataset.ready = "1";
        // Milliseconds from navigation to the first complete render (the page-load budget).
        if (!document.body.dataset.readyAt) document.body.dataset.readyAt = String(Math.round(performance.now()));
      }
    } catch (error) {
      if (mine === generation) showError(error);
    }
  }

  function showError(error) {
    const box = document.getElementById("error");
    box.textContent = String(error.message || error);
    box.hidden = false;
    document.body.dataset.ready = "error";
    console.error(error);
  }

  function hideError() {
    document.getElementById("error").hidden = true;
  }

  function param(name, fallback) {
    return new URLSearchParams(window.location.search).get(name) || fallback;
  }

  function setParams(values) {
    const params = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(values)) params.set(name, String(value));
    window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
  }

  // --- cost per kWh (shared by all pages, kept in the browser) -------------------------------
  function costInput() {
    return document.getElementById("cost-per-kwh");
  }

  function costPerKwh() {
    const value = Number.parseFloat(costInput().value);
    return Number.isFinite(value) && value >= 0 ? value : 0.11;
  }

  function onCostChange(render) {
    const saved = window.localStorage.getItem(COST_STORAGE);
    if (saved !== null) costInput().value = saved;
    costInput().addEventListener("change", () => {
      window.localStorage.setItem(COST_STORAGE, String(costPerKwh()));
      refresh(async () => render());
    });
  }

  // --- DOM -----------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function section(title, ...children) {
    return el("section", { class: "panel" }, el("h2", { text: title }), ...children);
  }

  function chartBox(id, height) {
    return el("div", { id, class: "chart", style: `height:${height || 320}px` });
  }

  function tiles(id) {
    return el("div", { id, class: "tiles" });
  }

  function setTiles(id, entries) {
    const box = document.getElementById(id);
    box.replaceChildren(
      ...entries.map(([name, value, key]) =>
        el(
          "div",
          { class: "tile", "data-key": key || name },
          el("span", { class: "value", text: value }),
          el("span", { class: "label", text: name }),
        ),
      ),
    );
  }

  function setTable(id, columns, rows, onClick) {
    const table = document.getElementById(id);
    const head = el("tr", {}, ...columns.map((c) => el("th", { text: c })));
    const body = rows.map((row) => {
      const line = el("tr", {}, ...row.cells.map((c) => el("td", { text: c })));
      if (row.key !== undefined) line.dataset.key = row.key;
      if (onClick) line.addEventListener("click", () => onClick(row.key));
      return line;
    });
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
  }

  function select(id, label, options, value) {
    const node = el("select", { id });
    fillSelect(node, options, value);
    return el("label", {}, `${label} `, node);
  }

  function fillSelect(node, options, value) {
    node.replaceChildren(...options.map(([v, text]) => el("option", { value: v, text })));
    if (options.some(([v]) => String(v) === String(value))) node.value = String(value);
  }

  // --- charts --------------------------------------------------------------------------------
  function chart(id, option) {
    let instance = charts[id];
    if (!instance) {
      instance = window.echarts.init(document.getElementById(id), null, { renderer: "canvas" });
      charts[id] = instance;
      window.addEventListener("resize", () => instance.resize());
    }
    const legend = option.legend ? { legend: { top: 0, ...option.legend } } : {};
    instance.setOption({ useUTC: true, animation: false, ...option, ...legend }, true);
    return instance;
  }

  // --- meters and years ----------------------------------------------------------------------
  // A search box and a select of meters; calls onChange(meter) with the chosen meter's summary.
  function meterPicker(onChange) {
    const search = el("input", { id: "meter-search", type: "search", placeholder: "search id" });
    const choice = el("select", { id: "meter" });
    let items = [];
    async function load(prefix, wanted) {
      const page = await api("/v1/meters", { search: prefix, limit: 1000 });
      items = page.items;
      fillSelect(choice, items.map((m) => [m.meter_id, m.meter_id]), wanted);
      return current();
    }
    function current() {
      return items.find((m) => m.meter_id === choice.value) || null;
    }
    choice.addEventListener("change", () => {
      setParams({ meter: choice.value });
      refresh(async () => onChange(current()));
    });
    search.addEventListener("input", () => {
      refresh(async () => {
        const meter = await load(search.value.trim(), choice.value);
        if (!meter) throw new Error(`no meter starts with ${search.value.trim()}`);
        setParams({ meter: meter.meter_id });
        await onChange(meter);
      });
    });
    const node = el(
      "div",
      { class: "picker" },
      el("label", {}, "meter ", search),
      choice,
    );
    return { node, start: () => load("", param("meter", "")), current };
  }

  function yearsOf(meter) {
    const first = Number(meter.first_day.slice(0, 4));
    const last = Number(meter.last_day.slice(0, 4));
    const years = [];
    for (let year = first; year <= last; year += 1) years.push(year);
    return years;
  }

  // --- dates (UTC throughout; the API's times are naive UTC) ---------------------------------
  function isoDay(text) {
    return text.length === 8 ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
  }

  function addDays(day, days) {
    const moment = new Date(`${isoDay(day)}T00:00:00Z`);
    moment.setUTCDate(moment.getUTCDate() + days);
    return moment.toISOString().slice(0, 10);
  }

  function ms(time) {
    return Date.parse(time.length === 10 ? `${time}T00:00:00Z` : `${time}Z`);
  }

  function weekdayOf(time) {
    return new Date(ms(time)).getUTCDay();
  }

  function weekStart(day) {
    const moment = new Date(`${isoDay(day)}T00:00:00Z`);
    const back = (moment.getUTCDay() + 6) % 7;
    moment.setUTCDate(moment.getUTCDate() - back);
    return moment.toISOString().slice(0, 10);
  }

  // A shaded band between two lines: an invisible lower line and the band's height stacked on
  // it (ECharts draws areas from the axis, so the height, not the upper value, is stacked).
  // ``rows`` give [time, low, high]; ``color`` fills the band.
  function bandSeries(lowName, bandName, rows, color) {
    const line = { type: "line", stack: "band", showSymbol: false, lineStyle: { opacity: 0 } };
    return [
      { ...line, name: lowName, data: rows.map(([time, low]) => [time, low]) },
      {
        ...line,
        name: bandName,
        areaStyle: { color, opacity: 0.5 },
        data: rows.map(([time, low, high]) => [time, round(high - low, 9)]),
      },
    ];
  }

  // --- numbers -------------------------------------------------------------------------------
  function round(value, digits) {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
  }

  function mean(values) {
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  }

  function fixed(value, digits) {
    return value === null || value === undefined ? "-" : Number(value).toFixed(digits);
  }

  window.ML = {
    WEEKDAYS,
    addDays,
    api,
    bandSeries,
    chart,
    chartBox,
    costPerKwh,
    el,
    fillSelect,
    fixed,
    isoDay,
    mean,
    meterPicker,
    ms,
    onCostChange,
    param,
    refresh,
    round,
    section,
    select,
    setParams,
    setTable,
    setTiles,
    tiles,
    weekStart,
    weekdayOf,
    yearsOf,
  };
})();
