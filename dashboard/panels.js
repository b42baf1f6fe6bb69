// modelplane dashboard, the panels over the admin API (loaded after app.js, refreshed with it):
//   Spend drill-down   GET /admin/spend?group_by=team → key → agent → workflow (and customers),
//                      and spend by any one dimension (route, deployment, provider, model, ...),
//                      plus the last hour's top movers against their baseline ("who spent it")
//   Budgets            GET /admin/budgets: utilisation bars, reserved vs spent, soft alerts, reset
//   Keys               GET /admin/keys, POST /admin/keys (the key is shown once), DELETE to revoke
//   Requests           GET /admin/dashboard/tail?after=<seq>: a live tail (polled), filter, detail
//   Cache similarity   cache_similarity in /admin/dashboard/data: semantic hits per bucket
//   Health timeline    health_changes in /admin/dashboard/data: breaker state changes
// Each panel catches its own errors (a gateway without a ledger store still shows the rest).
(function () {
  'use strict';
  var D = window.modelplaneDashboard;
  var u = D.util;
  var $ = u.$, el = u.el, table = u.table, empty = u.empty, fmtUsd = u.fmtUsd, fmtInt = u.fmtInt, fmtMs = u.fmtMs, fmtPct = u.fmtPct;

  function failed(container, testid) {
    return function (e) {
      if (e && e.status) throw e; // unauthorized: app.js signs out
      empty(container, String(e && e.message ? e.message : e), testid);
    };
  }
  function button(text, attrs, onClick) {
    var b = el('button', Object.assign({ type: 'button' }, attrs || {}), text);
    b.addEventListener('click', onClick);
    return b;
  }
  /** A horizontal bar; `plain` for a distribution (no warning colours near full). */
  function bar(ratio, label, plain) {
    var wrap = el('span', { class: 'bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(ratio * 100)), 'aria-label': label });
    var fill = el('span', { class: 'bar-fill' + (plain ? '' : ratio >= 1 ? ' full' : ratio >= 0.8 ? ' high' : '') });
    fill.style.width = Math.min(100, Math.max(0, ratio * 100)).toFixed(1) + '%';
    wrap.appendChild(fill);
    return wrap;
  }

  // ------------------------------------------------------------ spend drill-down
  // path: the filters chosen so far, e.g. [{team:'blue'}, {key:'k1'}]; the level is its length.
  var LEVELS = ['team', 'key', 'agent', 'workflow'];
  var drill = [];
  function filters() {
    var q = [];
    drill.forEach(function (f) { for (var k in f) q.push(k + '=' + encodeURIComponent(f[k])); });
    return q;
  }
  function spendQuery(groupBy, since, extra) {
    return '/admin/spend?' + ['group_by=' + groupBy, 'since=' + since].concat(extra || filters()).join('&');
  }
  function drawDrill() {
    var box = $('drill');
    var since = $('drill-since').value;
    var level = Math.min(drill.length, LEVELS.length - 1);
    var groupBy = LEVELS[level];
    var crumbs = el('nav', { class: 'crumbs', 'aria-label': 'Drill-down path', 'data-testid': 'drill-crumbs' });
    crumbs.appendChild(button('All teams', { 'data-testid': 'drill-up-0' }, function () { drill = []; drawDrill(); }));
    drill.forEach(function (f, i) {
      var k = Object.keys(f)[0];
      crumbs.appendChild(el('span', { class: 'muted' }, ' › '));
      crumbs.appendChild(button(k + ' ' + f[k], { 'data-testid': 'drill-up-' + (i + 1) }, function () { drill = drill.slice(0, i + 1); drawDrill(); }));
    });
    var asks = [u.api(spendQuery(groupBy, since))];
    // At a key, the customers it served beside its agents.
    if (groupBy === 'agent') asks.push(u.api(spendQuery('customer', since)));
    return Promise.all(asks).then(function (r) {
      box.replaceChildren(crumbs);
      var rows = r[0].rows;
      var cols = [
        { label: groupBy, key: groupBy, render: function (v, row) {
          if (v == null) return el('span', { class: 'muted' }, '(none)');
          if (level >= LEVELS.length - 1) return el('span', null, v);
          return button(String(v), { class: 'link', 'data-testid': 'drill-' + groupBy + '-' + v }, function () { var f = {}; f[groupBy] = v; drill.push(f); drawDrill(); });
        } },
        { label: 'Requests', key: 'requests', num: true, fmt: fmtInt },
        { label: 'Tokens', key: 'tokens', num: true, fmt: fmtInt },
        { label: 'Spend', key: 'cost_usd', num: true, fmt: fmtUsd },
      ];
      rows.forEach(function (x) { x.tokens = x.input_tokens + x.output_tokens; });
      if (rows.length) box.appendChild(table('By ' + groupBy, cols, rows, 'drill-table'));
      else box.appendChild(el('p', { class: 'empty', 'data-testid': 'drill-empty' }, 'No spend by ' + groupBy + ' in this range.'));
      if (r[1] && r[1].rows.length) box.appendChild(table('By customer', [{ label: 'customer', key: 'customer', fmt: function (v) { return v == null ? '(none)' : v; } }, { label: 'Requests', key: 'requests', num: true, fmt: fmtInt }, { label: 'Spend', key: 'cost_usd', num: true, fmt: fmtUsd }], r[1].rows, 'drill-customers'));
    }, failed(box, 'drill-error'));
  }

  // Spend by any one dimension the ledger groups by (route, deployment, provider, model, ...).
  function drawSpendBy() {
    var box = $('spend-by-table');
    var by = $('spend-by').value;
    return u.api(spendQuery(by, $('drill-since').value, [])).then(function (r) {
      if (!r.rows.length) return empty(box, 'No spend in this range.', 'spend-by-empty');
      box.replaceChildren(table(null, [{ label: by, key: by, fmt: function (v) { return v == null ? '(none)' : v; } }, { label: 'Requests', key: 'requests', num: true, fmt: fmtInt }, { label: 'Errors', key: 'errors', num: true, fmt: fmtInt }, { label: 'Spend', key: 'cost_usd', num: true, fmt: fmtUsd }], r.rows.slice(0, 20), 'spend-by-rows'));
    }, failed(box, 'spend-by-error'));
  }
  $('spend-by').addEventListener('change', function () { drawSpendBy(); });

  // "Who spent it": each agent's last hour against its hourly average over the 23 hours before.
  function drawMovers() {
    var box = $('movers');
    return Promise.all([u.api(spendQuery('agent', '1h', [])), u.api(spendQuery('agent', '24h', []))]).then(function (r) {
      var day = {};
      r[1].rows.forEach(function (x) { day[x.agent] = x.cost_usd; });
      var rows = r[0].rows.filter(function (x) { return x.agent != null; }).map(function (x) {
        var baseline = Math.max(0, (day[x.agent] || 0) - x.cost_usd) / 23;
        return { agent: x.agent, hour: x.cost_usd, baseline: baseline, delta: x.cost_usd - baseline };
      }).sort(function (a, b) { return b.delta - a.delta; }).slice(0, 10);
      if (!rows.length) return empty(box, 'No agent spent anything in the last hour.', 'movers-empty');
      box.replaceChildren(table(null, [{ label: 'Agent', key: 'agent' }, { label: 'Last hour', key: 'hour', num: true, fmt: fmtUsd }, { label: 'Hourly baseline', key: 'baseline', num: true, fmt: fmtUsd }, { label: 'Change', key: 'delta', num: true, fmt: function (v) { return (v >= 0 ? '+' : '−') + fmtUsd(Math.abs(v)); } }], rows, 'movers-table'));
    }, failed(box, 'movers-error'));
  }

  // ------------------------------------------------------------ budgets and keys
  var budgetsById = {};
  function drawBudgets() {
    var box = $('budgets');
    return u.api('/admin/budgets').then(function (r) {
      budgetsById = {};
      r.budgets.forEach(function (b) { budgetsById[b.budget] = b; });
      if (!r.budgets.length) return empty(box, 'No budgets configured.', 'budgets-empty');
      box.replaceChildren(table(null, [
        { label: 'Budget', key: 'budget' },
        { label: 'Used', key: 'spent_usd', render: function (v, b) { return bar(b.limit_usd > 0 ? v / b.limit_usd : 0, b.budget + ' utilisation'); } },
        { label: 'Spent', key: 'spent_usd', num: true, fmt: fmtUsd },
        { label: 'Reserved', key: 'reserved_usd', num: true, fmt: fmtUsd },
        { label: 'Limit', key: 'limit_usd', num: true, fmt: fmtUsd },
        { label: 'Soft alert', key: 'soft_alerted', render: function (v) { return el('span', { class: 'badge ' + (v ? 'open' : 'closed') }, v ? 'alerted' : 'ok'); } },
        { label: 'Resets', key: 'period_end', fmt: function (v) { return v ? new Date(v).toLocaleString() : 'never'; } },
      ], r.budgets, 'budgets-table'));
    }, failed(box, 'budgets-error'));
  }

  function drawKeys() {
    var box = $('keys');
    return u.api('/admin/keys').then(function (r) {
      if (!r.keys.length) return empty(box, 'No keys yet: create one below.', 'keys-empty');
      box.replaceChildren(table(null, [
        { label: 'Name', key: 'name' },
        { label: 'Id', key: 'id' },
        { label: 'Team', key: 'team', fmt: function (v) { return v || '–'; } },
        { label: 'Status', key: 'status', render: function (v) { return el('span', { class: 'badge ' + (v === 'active' ? 'closed' : 'open') }, v); } },
        { label: 'Last used', key: 'last_used_at', fmt: function (v) { return v ? new Date(v).toLocaleString() : 'never'; } },
        { label: 'Budget use', key: 'id', render: function (id) {
          var b = budgetsById['key:' + id];
          return b ? el('span', null, fmtUsd(b.spent_usd) + ' of ' + fmtUsd(b.limit_usd)) : el('span', { class: 'muted' }, '–');
        } },
        { label: 'Limits', key: 'limits', fmt: function (l) { return l && l.rpm ? fmtInt(l.rpm) + ' req/min' : '–'; } },
        { label: 'Actions', key: 'id', render: function (id, k) {
          if (k.status !== 'active' || k.source === 'config') return el('span', { class: 'muted' }, k.source === 'config' ? 'in config' : '');
          var cell = el('span', { class: 'actions' });
          cell.appendChild(button('Edit limits', { 'data-testid': 'edit-' + id, 'aria-label': 'Edit the limits of key ' + k.name }, function () { cell.replaceWith(limitsEditor(id, k)); }));
          cell.appendChild(button('Revoke', { class: 'danger', 'data-testid': 'revoke-' + id, 'aria-label': 'Revoke key ' + k.name }, function () {
            if (!window.confirm('Revoke key ' + k.name + '? Requests with it are refused at once.')) return;
            u.api('/admin/keys/' + encodeURIComponent(id), 'DELETE').then(D.refresh, function (e) { $('key-message').textContent = e.message; });
          }));
          return cell;
        } },
      ], r.keys, 'keys-table'));
    }, failed(box, 'keys-error'));
  }

  // An inline editor for a key's monthly budget and requests per minute (PATCH /admin/keys/<id>).
  function limitsEditor(id, k) {
    var f = el('form', { class: 'inline-form tight', 'aria-label': 'Limits of key ' + k.name, 'data-testid': 'limits-' + id });
    var usd = el('input', { type: 'number', min: '0', step: 'any', 'aria-label': 'Monthly budget (USD)', placeholder: 'budget USD', 'data-testid': 'limits-usd' });
    var rpm = el('input', { type: 'number', min: '1', step: '1', 'aria-label': 'Requests per minute', placeholder: 'req/min', 'data-testid': 'limits-rpm' });
    if (k.budget && k.budget.usd) usd.value = String(k.budget.usd);
    if (k.limits && k.limits.rpm) rpm.value = String(k.limits.rpm);
    f.append(usd, rpm, el('button', { type: 'submit', 'data-testid': 'limits-save' }, 'Save'), button('Cancel', null, function () { D.refresh(); }));
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {};
      if (usd.value) body.budget = { usd: Number(usd.value), period: 'month' };
      if (rpm.value) body.limits = { rpm: Number(rpm.value) };
      u.api('/admin/keys/' + encodeURIComponent(id), 'PATCH', body).then(function () {
        $('key-message').textContent = 'Limits of ' + k.name + ' saved.';
        return D.refresh();
      }, function (err) { $('key-message').textContent = 'Not saved: ' + err.message; });
    });
    return f;
  }

  $('key-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var body = { name: $('key-name').value.trim() };
    var team = $('key-team').value.trim();
    var usd = Number($('key-budget').value);
    if (team) body.team = team;
    if ($('key-budget').value && usd > 0) body.budget = { usd: usd, period: 'month' };
    var msg = $('key-message');
    u.api('/admin/keys', 'POST', body).then(function (k) {
      $('key-form').reset();
      msg.replaceChildren(el('span', null, 'Key created. Copy it now, it is not shown again: '), el('code', { 'data-testid': 'key-secret' }, k.key));
      return D.refresh();
    }, function (err) { msg.textContent = 'Not created: ' + err.message; });
  });

  // ------------------------------------------------------------ live tail
  var tailSeq = 0;
  var tail = [];
  var selected = null;
  var TAIL_ROWS = 50;
  function drawTail() {
    return u.api('/admin/dashboard/tail?after=' + tailSeq).then(function (r) {
      tailSeq = r.seq;
      tail = r.requests.slice().reverse().concat(tail).slice(0, TAIL_ROWS);
      renderTail();
    }, failed($('tail'), 'tail-error'));
  }
  function renderTail() {
    var box = $('tail');
    var f = $('tail-filter').value.trim().toLowerCase();
    var rows = f ? tail.filter(function (x) { return [x.route, x.deployment, x.key, x.team, x.agent, x.customer, String(x.status), x.error, x.cache].join(' ').toLowerCase().indexOf(f) >= 0; }) : tail;
    if (!rows.length) return empty(box, f ? 'No recent request matches "' + f + '".' : 'No requests yet.', 'tail-empty');
    box.replaceChildren(table(null, [
      { label: 'Time', key: 'time', fmt: function (v) { return new Date(v).toLocaleTimeString(); } },
      { label: 'Request', key: 'request_id', render: function (v, x) { return button(v, { class: 'link', 'data-testid': 'tail-open-' + x.seq, 'aria-label': 'Details of request ' + v }, function () { selected = x; renderDetail(); }); } },
      { label: 'Route', key: 'route', fmt: function (v) { return v || '–'; } },
      { label: 'Deployment', key: 'deployment', fmt: function (v) { return v || '–'; } },
      { label: 'Status', key: 'status', render: function (v) { return el('span', { class: 'badge ' + (v < 400 ? 'closed' : 'open') }, v); } },
      { label: 'Latency', key: 'latency_ms', num: true, fmt: fmtMs },
      { label: 'Cost', key: 'cost_usd', num: true, fmt: fmtUsd },
      { label: 'Cache', key: 'cache', fmt: function (v) { return v || '–'; } },
      { label: 'Key', key: 'key', fmt: function (v) { return v || '–'; } },
    ], rows, 'tail-table'));
  }
  function renderDetail() {
    var x = selected;
    var box = $('tail-detail');
    if (!x) { box.hidden = true; return; }
    box.hidden = false;
    var dl = el('dl', { 'data-testid': 'tail-detail-list' });
    [['Request id', x.request_id], ['Endpoint', x.endpoint], ['Route', x.route], ['Deployment', x.deployment], ['Status', x.status + (x.error ? ' (' + x.error + ')' : '')],
      ['Attempts', x.attempts], ['Fallback reasons', x.fallback_reasons.join(', ') || 'none'], ['Latency', fmtMs(x.latency_ms)], ['Time to first token', x.ttft_ms == null ? '–' : fmtMs(x.ttft_ms)],
      ['Tokens', fmtInt(x.tokens_in) + ' in · ' + fmtInt(x.tokens_out) + ' out'], ['Cost', fmtUsd(x.cost_usd)], ['Cache', x.cache || '–'], ['Tier', x.tier || '–'],
      ['Key', x.key || '–'], ['Team', x.team || '–'], ['Customer', x.customer || '–'], ['Agent', x.agent || '–'], ['Workflow', x.workflow || '–']].forEach(function (p) {
      dl.appendChild(el('dt', null, p[0]));
      dl.appendChild(el('dd', { 'data-field': p[0] }, p[1] == null ? '–' : p[1]));
    });
    box.replaceChildren(el('h3', null, 'Request ' + x.request_id), dl, button('Close', { 'data-testid': 'tail-close' }, function () { selected = null; renderDetail(); }));
  }
  $('tail-filter').addEventListener('input', renderTail);

  // ------------------------------------------------------------ cache similarity
  function drawSimilarity(d) {
    var box = $('similarity');
    var s = d.cache_similarity;
    if (!s || !s.hits) return empty(box, 'No semantic cache hits yet.', 'similarity-empty');
    var max = Math.max.apply(null, s.counts);
    var rows = [];
    s.counts.forEach(function (n, i) {
      if (!n) return;
      var lo = i === 0 ? 0 : s.buckets[i - 1];
      var hi = i < s.buckets.length ? s.buckets[i] : null;
      rows.push({ range: hi == null ? '> ' + lo : lo + ' – ' + hi, hits: n, share: n / s.hits, ratio: n / max });
    });
    box.replaceChildren(table(fmtInt(s.hits) + ' semantic hits', [
      { label: 'Similarity', key: 'range' },
      { label: 'Hits', key: 'hits', num: true, fmt: fmtInt },
      { label: 'Share', key: 'share', num: true, fmt: fmtPct },
      { label: '', key: 'ratio', render: function (v, r) { return bar(v, r.range, true); } },
    ], rows, 'similarity-table'));
  }

  // ------------------------------------------------------------ health timeline
  function drawTimeline(d) {
    var box = $('health-timeline');
    var rows = d.health_changes || [];
    if (!rows.length) return empty(box, 'No state changes since the gateway started.', 'timeline-empty');
    var badge = function (s) { return el('span', { class: 'badge ' + s }, s); };
    box.replaceChildren(table(null, [
      { label: 'Time', key: 'time', fmt: function (v) { return new Date(v).toLocaleTimeString(); } },
      { label: 'Level', key: 'level' }, { label: 'Name', key: 'id' },
      { label: 'From', key: 'from', render: badge }, { label: 'To', key: 'to', render: badge },
    ], rows.slice(0, 20), 'timeline-table'));
  }

  $('drill-since').addEventListener('change', function () { drawDrill(); drawSpendBy(); });
  D.register(function (d) {
    drawSimilarity(d);
    drawTimeline(d);
    return Promise.all([drawDrill(), drawSpendBy(), drawMovers(), drawBudgets().then(drawKeys), drawTail()]);
  });
})();
