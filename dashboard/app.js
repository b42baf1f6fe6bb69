// modelplane dashboard: signs in with the admin key (kept in sessionStorage, sent as a bearer
// header, never in a URL), polls the gateway's aggregation endpoints and draws them. Data:
//   GET /admin/dashboard/data?range=15m   the metrics extension's in-memory window
//   GET /admin/health                     breaker state per provider, deployment, credential
// Spend and cache panels say so when nothing has reported spend or cache outcomes yet.
(function () {
  'use strict';
  var KEY_STORE = 'modelplane.adminKey';
  var THEME_STORE = 'modelplane.theme';
  var POLL_MS = 5000;
  var $ = function (id) { return document.getElementById(id); };
  var charts = {};
  var timer = null;
  var last = null;
  var panels = [];

  // ---------------------------------------------------------------- theme
  function applyTheme(t) {
    document.documentElement.setAttribute('data-theme', t);
    $('theme').setAttribute('aria-pressed', t === 'dark' ? 'true' : 'false');
    $('theme').textContent = t === 'dark' ? 'Light theme' : 'Dark theme';
    if (last) drawCharts(last, true);
  }
  function initialTheme() {
    var saved = localStorage.getItem(THEME_STORE);
    if (saved === 'dark' || saved === 'light') return saved;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  // ---------------------------------------------------------------- formatting
  function fmtInt(n) { return n == null ? '–' : Math.round(n).toLocaleString('en-US'); }
  function fmtMs(n) { return n == null ? '–' : n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(2) + ' s'; }
  function fmtPct(x) { return x == null ? '–' : (x * 100).toFixed(1) + '%'; }
  function fmtUsd(x) { return x == null ? '–' : '$' + (x < 1 ? x.toFixed(4) : x.toFixed(2)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = String(text);
    return e;
  }
  function empty(container, text, testid) {
    container.replaceChildren(el('p', { class: 'empty', 'data-testid': testid }, text));
  }
  /** A table: cols = [{label, key, num, fmt}], rows = objects. */
  function table(caption, cols, rows, testid) {
    var t = el('table', { 'data-testid': testid });
    if (caption) t.appendChild(el('caption', null, caption));
    var head = el('tr');
    cols.forEach(function (c) { head.appendChild(el('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)); });
    t.appendChild(el('thead')).appendChild(head);
    var body = t.appendChild(el('tbody'));
    rows.forEach(function (r) {
      var tr = el('tr');
      cols.forEach(function (c) {
        var v = r[c.key];
        var td = el('td', { class: c.num ? 'num' : '' });
        if (c.render) td.appendChild(c.render(v, r)); else td.textContent = c.fmt ? c.fmt(v) : String(v);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    return t;
  }

  // ---------------------------------------------------------------- data
  function api(path, method, body) {
    var key = sessionStorage.getItem(KEY_STORE);
    var init = { method: method || 'GET', headers: { authorization: 'Bearer ' + key }, cache: 'no-store' };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      if (res.status === 401 || res.status === 403) {
        var err = new Error('unauthorized');
        err.status = res.status;
        throw err;
      }
      if (!res.ok) {
        // The admin API says what to fix in `error.message`: show that, not a bare status.
        return res.json().then(function (j) {
          throw new Error((j && j.error && (j.error.message || j.error)) || path + ': HTTP ' + res.status);
        }, function () { throw new Error(path + ': HTTP ' + res.status); });
      }
      return res.json();
    });
  }

  function refresh() {
    var range = $('range').value;
    return Promise.all([api('/admin/dashboard/data?range=' + encodeURIComponent(range)), api('/admin/health')]).then(function (r) {
      last = r[0];
      render(r[0], r[1]);
      // The panels in panels.js (tail, keys, spend drill-down, similarity) refresh with the page.
      return Promise.all(panels.map(function (p) { return p(r[0]); }));
    }).then(function () {
      var d = last;
      $('status').textContent = 'Updated ' + new Date(d.time).toLocaleTimeString() + ' · config v' + d.config_version;
      document.body.setAttribute('data-refreshed', String(d.time));
    }, function (e) {
      if (e.status) return signOut(e.status === 401 ? 'That key was not accepted.' : 'The admin API is disabled on this gateway.');
      $('status').textContent = 'Could not load: ' + e.message;
    });
  }

  // ---------------------------------------------------------------- panels
  function render(d, health) {
    var t = d.totals;
    var secs = d.range_ms / 1000;
    $('kpi-requests').textContent = fmtInt(t.requests);
    $('kpi-rps').textContent = (t.requests / secs).toFixed(2) + ' req/s over ' + $('range').selectedOptions[0].textContent;
    $('kpi-errors').textContent = fmtPct(t.error_rate);
    $('kpi-errors-sub').textContent = fmtInt(t.errors) + (t.errors === 1 ? ' error' : ' errors');
    $('kpi-latency').textContent = fmtMs(t.p50_ms) + ' / ' + fmtMs(t.p95_ms);
    $('kpi-ttft').textContent = 'TTFT p50 ' + fmtMs(t.ttft_p50_ms) + ', p95 ' + fmtMs(t.ttft_p95_ms);
    $('kpi-spend').textContent = d.spend ? fmtUsd(d.spend.total_usd) : '–';
    $('kpi-tokens').textContent = fmtInt(t.tokens_in) + ' in · ' + fmtInt(t.tokens_out) + ' out tokens';
    if (d.cache) {
      $('kpi-cache').textContent = fmtPct(d.cache.hit_rate);
      $('kpi-cache-sub').textContent = fmtInt(d.cache.hits) + (d.cache.hits === 1 ? ' hit' : ' hits') + ' of ' + fmtInt(d.cache.lookups) + ' lookups';
    } else {
      $('kpi-cache').textContent = '–';
      $('kpi-cache-sub').textContent = 'no cache yet';
    }

    var spend = $('spend');
    if (!d.spend) empty(spend, 'No ledger yet: spend appears here once requests are priced.', 'spend-empty');
    else {
      spend.replaceChildren();
      [['Team', 'by_team'], ['Agent', 'by_agent'], ['Customer', 'by_customer']].forEach(function (p) {
        var rows = d.spend[p[1]];
        if (rows.length) spend.appendChild(table(p[0], [{ label: p[0], key: 'id' }, { label: 'Spend', key: 'cost_usd', num: true, fmt: fmtUsd }], rows, 'spend-' + p[1]));
      });
      if (!spend.children.length) empty(spend, 'Spend is not attributed to teams, agents or customers yet.', 'spend-unattributed');
    }

    var cache = $('cache');
    if (!d.cache) empty(cache, 'No cache yet: hit rate appears here once a cache stage reports lookups.', 'cache-empty');
    else cache.replaceChildren(table(null, [{ label: 'Lookups', key: 'lookups', num: true, fmt: fmtInt }, { label: 'Hits', key: 'hits', num: true, fmt: fmtInt }, { label: 'Hit rate', key: 'hit_rate', num: true, fmt: fmtPct }], [d.cache], 'cache-table'));

    var badge = function (s) { return el('span', { class: 'badge ' + s }, s); };
    var hrows = [];
    (health.providers || []).forEach(function (p) { hrows.push({ level: 'provider', id: p.id, state: p.state, error_rate: p.error_rate, requests: p.requests }); });
    (health.deployments || []).forEach(function (p) { hrows.push({ level: 'deployment', id: p.id, state: p.state, error_rate: p.error_rate, requests: p.requests }); });
    $('health').replaceChildren(table(null, [
      { label: 'Level', key: 'level' }, { label: 'Name', key: 'id' }, { label: 'State', key: 'state', render: badge },
      { label: 'Error rate', key: 'error_rate', num: true, fmt: fmtPct }, { label: 'Requests', key: 'requests', num: true, fmt: fmtInt },
    ], hrows, 'health-table'));

    var topCols = [{ label: 'Name', key: 'id' }, { label: 'Requests', key: 'requests', num: true, fmt: fmtInt }, { label: 'Errors', key: 'errors', num: true, fmt: fmtInt }];
    if (d.top_routes.length) $('routes').replaceChildren(table(null, topCols, d.top_routes, 'routes-table')); else empty($('routes'), 'No requests in this range.', 'routes-empty');
    if (d.top_deployments.length) $('deployments').replaceChildren(table(null, topCols, d.top_deployments, 'deployments-table')); else empty($('deployments'), 'No upstream answers in this range.', 'deployments-empty');
    drawCharts(d, false);
  }

  // ---------------------------------------------------------------- charts (uPlot)
  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function axis() { return { stroke: cssVar('--muted'), grid: { stroke: cssVar('--border') }, ticks: { stroke: cssVar('--border') } }; }
  function chartSize(id) { var w = $(id).clientWidth || 600; return { width: Math.max(280, w), height: 240 }; }

  function drawChart(id, series, data, rebuild) {
    var c = charts[id];
    if (c && !rebuild) { c.setData(data); return; }
    if (c) c.destroy();
    var size = chartSize(id);
    charts[id] = new uPlot({ width: size.width, height: size.height, series: series, axes: [axis(), axis()], scales: { x: { time: true } }, legend: { live: false } }, data, $(id));
  }

  function drawCharts(d, rebuild) {
    var xs = d.series.map(function (p) { return p.t / 1000; });
    var pick = function (k) { return d.series.map(function (p) { return p[k] == null ? null : p[k]; }); };
    drawChart('chart-traffic', [{}, { label: 'Requests', stroke: cssVar('--accent'), width: 2, fill: cssVar('--accent') + '22' }, { label: 'Errors', stroke: cssVar('--bad'), width: 2 }], [xs, pick('requests'), pick('errors')], rebuild);
    // Points as well as lines: a range with one busy interval still shows its latency.
    var pts = { show: true, size: 6 };
    drawChart('chart-latency', [{}, { label: 'p50 ms', stroke: cssVar('--accent'), width: 2, spanGaps: true, points: pts }, { label: 'p95 ms', stroke: cssVar('--warn'), width: 2, spanGaps: true, points: pts }, { label: 'TTFT p50 ms', stroke: cssVar('--accent-2'), width: 2, spanGaps: true, points: pts }], [xs, pick('p50_ms'), pick('p95_ms'), pick('ttft_p50_ms')], rebuild);
  }

  // ---------------------------------------------------------------- sign-in
  function signOut(message) {
    sessionStorage.removeItem(KEY_STORE);
    clearInterval(timer);
    $('app').hidden = true;
    $('signin').hidden = false;
    var err = $('signin-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('admin-key').focus();
  }
  function start() {
    $('signin').hidden = true;
    $('app').hidden = false;
    clearInterval(timer);
    refresh();
    timer = setInterval(refresh, POLL_MS);
  }

  $('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY_STORE, $('admin-key').value);
    $('admin-key').value = '';
    start();
  });
  $('signout').addEventListener('click', function () { signOut(''); });
  $('range').addEventListener('change', refresh);
  $('theme').addEventListener('click', function () {
    var next = document.documentElement.getAttribute('data-theme') === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_STORE, next);
    applyTheme(next);
  });
  window.addEventListener('resize', function () { if (last) drawCharts(last, true); });
  // For scripts and the browser test: refresh now, and the charts' data as drawn.
  window.modelplaneDashboard = {
    refresh: refresh,
    charts: charts,
    /** panels.js: register(fn(data) -> promise) runs on every refresh; util holds the helpers. */
    register: function (fn) { panels.push(fn); },
    util: { $: $, api: api, el: el, empty: empty, table: table, fmtInt: fmtInt, fmtMs: fmtMs, fmtPct: fmtPct, fmtUsd: fmtUsd },
  };

  applyTheme(initialTheme());
  if (sessionStorage.getItem(KEY_STORE)) start(); else signOut('');
})();
