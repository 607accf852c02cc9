"use strict";
// Shared by every dashboard page: v1 API calls, charts, controls, dates and the ready flag that
// tells a reader (or a browser test) the page shows the data of its current controls.
(function () {
  const KEY_STORAGE = "meterlake.apiKey"; // in sessionStorage: gone when the tab closes
  const COST_STORAGE = "meterlake.costPerKwh";
  const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const charts = {};
  let generation = 0;

  // --- the API -------------------------------------------------------------------------------
  // A server with API keys answers 401: the page asks for a key (``signIn``) and keeps it for
  // this browser tab only; never in local storage, never in a URL (URLs end up in logs).
  window.localStorage.removeItem(KEY_STORAGE); // where versions before 0.x kept it

  function storedKey() {
    return window.sessionStorage.getItem(KEY_STORAGE);
  }

  class ApiError extends Error {
    constructor(path, status, detail) {
      super(`${path}: ${detail || status}`);
      this.status = status;
    }
  }

  // GET ``path`` with query ``params``; ``send`` ({ method, body }) for a write.
  async function api(path, params, send) {
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const key = storedKey();
    const headers = key ? { "X-API-Key": key } : {};
    const options = { headers, method: (send && send.method) || "GET" };
    if (send && send.body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(send.body);
    }
    const response = await fetch(url, options);
    const body = await response.json();
    if (!response.ok) throw new ApiError(url.pathname, response.status, body.detail);
    return body;
  }

  function signIn(message) {
    const input = el("input", { id: "api-key", type: "password", autocomplete: "off", placeholder: "mlk_..." });
    const form = el(
      "form",
      { id: "sign-in", class: "sign-in" },
      el("p", { text: `${message}. Sign in with an API key (kept in this tab only):` }),
      input,
      el("button", { type: "submit", text: "Sign in" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      window.sessionStorage.setItem(KEY_STORAGE, input.value.trim());
      window.location.reload();
    });
    return form;
  }

  function signOut() {
    window.sessionStorage.removeItem(KEY_STORAGE);
    window.location.reload();
  }

  // The header's sign-out button, and who is signed in (once the key was accepted).
  async function showIdentity() {
    const button = document.getElementById("sign-out");
    if (!storedKey() || !button) return;
    button.hidden = false;
    button.addEventListener("click", signOut);
    try {
      const me = await api("/v1/me");
      document.getElementById("signed-in").textContent = `${me.name} (${me.role})`;
    } catch (error) {
      // the page's own calls show the problem
    }
  }
  document.addEventListener("DOMContentLoaded", showIdentity);

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

  // A failed refresh: the error on top (a sign-in form on 401) and in every panel, instead of
  // any empty-state message (a failed call must not read as "nothing there").
  function showError(error) {
    const box = document.getElementById("error");
    const message = String(error.message || error);
    box.replaceChildren(error.status === 401 ? signIn(message) : message);
    box.hidden = false;
    for (const empty of document.querySelectorAll(".empty")) empty.hidden = true;
    for (const panel of document.querySelectorAll(".panel")) {
      const note = panel.querySelector(".panel-error") || el("p", { class: "panel-error" });
      note.textContent = `not loaded: ${message}`;
      panel.querySelector("h2").after(note);
    }
    document.body.dataset.ready = "error";
    if (error.status !== 401 && error.status !== 403) console.error(error); // shown, not bugs
  }

  function hideError() {
    document.getElementById("error").hidden = true;
    for (const note of document.querySelectorAll(".panel-error")) note.remove();
  }

  // An empty-state message: hidden until a successful load says there is nothing to show.
  function emptyNote(id, text) {
    return el("p", { id, class: "empty", text, hidden: "" });
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
    emptyNote,
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
