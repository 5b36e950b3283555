/**
 * The dashboard page's script: plain browser JavaScript kept as a string in a TS module, so `tsc`
 * carries it into dist/ and plain node serves it (live) or inlines it (reports) with no build
 * step and no CDN. It needs uPlot (loaded before it) and nothing else.
 *
 * The same code runs both pages: with a `<script type="application/json" id="goodhart-data">`
 * element it renders that snapshot and stays static (the `report` verb); without one it connects
 * to `/ws` on its own origin (passing `?token=` from its URL on) and mirrors the server's state.
 *
 * Model output is attacker-controlled: every piece of data reaches the DOM through
 * `textContent` (or `createTextNode`); the script never assigns `innerHTML`, and the server's
 * Content-Security-Policy forbids inline script besides.
 *
 * The source is written without template literals (it lives inside one).
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var MAX_ROWS = 5000, MAX_ALERTS = 500, MAX_SAMPLES = 500, MAX_PROBLEMS = 50, RENDER_MS = 250;
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  var STATUS_TEXT = {
    healthy: 'Healthy',
    warning: 'Warning: something looks off',
    hacking: 'Likely reward hacking',
    collapse: 'Collapse: the learning signal is gone'
  };
  var SETTINGS_KEY = 'goodhart.dashboard.settings';

  var settings = { smoothing: 0.6, xAxis: 'step', paused: false };
  var channels = new Map();
  var charts = [];
  var runsEl = document.getElementById('runs');
  var connectionEl = document.getElementById('connection');
  var staticMode = false;
  var renderTimer = null;
  var lastRender = 0;
  var needsRebuild = true;

  // ---------- helpers ----------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(x) {
    if (x === undefined || x === null || typeof x !== 'number' || !isFinite(x)) return '';
    if (!plainMagnitude(Math.abs(x))) return x.toExponential(2);
    return String(Math.round(x * 1000) / 1000);
  }
  function isMetricNumber(x) { return typeof x === 'number' && isFinite(x); }
  /** Magnitudes written without an exponent (0 included); others read better as 1.5e-6. */
  function plainMagnitude(a) { return a === 0 || (a >= 1e-3 && a < 1e5); }
  /** Decimals that write x exactly, 10 at most: 0.25 -> 2, 5 -> 0. */
  function decimalsOf(x) {
    for (var d = 0; d < 10; d++) {
      var scaled = x * Math.pow(10, d);
      if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
    }
    return 10;
  }

  /**
   * Tick labels for a numeric axis, readable at any scale: uPlot's default keeps 3 decimals, so a
   * learning rate around 1e-6 read 0 on every tick. Every label gets the decimals the tick spacing
   * incr needs; outside the magnitudes fmt() writes plainly, the ticks share one exponent, that of
   * the largest tick (0.5e-6, 1.0e-6, 1.5e-6; 2e5, 4e5).
   */
  function axisLabels(splits, incr) {
    var largest = 0;
    splits.forEach(function (v) { if (isMetricNumber(v)) largest = Math.max(largest, Math.abs(v)); });
    var step = isMetricNumber(incr) && incr > 0 ? incr : largest;
    var exponent = plainMagnitude(largest) ? 0 : Math.floor(Math.log10(largest));
    var scale = Math.pow(10, exponent);
    var decimals = decimalsOf(step / scale);
    return splits.map(function (v) {
      if (!isMetricNumber(v)) return '';
      if (exponent === 0) return v.toFixed(decimals);
      if (v === 0) return '0';
      return (v / scale).toFixed(decimals) + 'e' + exponent;
    });
  }
  /** A y-axis wide enough for its widest label: at least uPlot's 50 px, so charts mostly line up. */
  function axisSize(u, values, axisIdx, cycleNum) {
    var axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var widest = 0;
    u.ctx.font = axis.font[0];
    (values || []).forEach(function (v) { widest = Math.max(widest, u.ctx.measureText(v).width / window.devicePixelRatio); });
    return Math.max(50, Math.ceil(widest + axis.ticks.size + axis.gap + 2));
  }

  /**
   * Exponential moving average exactly as TensorBoard smooths scalars (the formula W&B documents
   * as its TensorBoard EMA): debiased by 1 - w^n, non-finite points passed through, and a constant
   * series left as is.
   */
  function ema(values, weight) {
    var out = new Array(values.length);
    var first = null, constant = true;
    for (var k = 0; k < values.length; k++) {
      if (isMetricNumber(values[k])) { if (first === null) first = values[k]; else if (values[k] !== first) { constant = false; break; } }
    }
    var last = 0, count = 0;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (constant || !isMetricNumber(v)) { out[i] = isMetricNumber(v) ? v : null; continue; }
      last = last * weight + (1 - weight) * v;
      count++;
      var debias = weight === 1 ? 1 : 1 - Math.pow(weight, count);
      out[i] = last / debias;
    }
    return out;
  }

  // ---------- settings ----------
  function loadSettings() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(SETTINGS_KEY) || '{}');
      if (typeof saved.smoothing === 'number' && saved.smoothing >= 0 && saved.smoothing < 1) settings.smoothing = saved.smoothing;
      if (saved.xAxis === 'step' || saved.xAxis === 'time') settings.xAxis = saved.xAxis;
      if (typeof saved.paused === 'boolean') settings.paused = saved.paused;
    } catch (e) { /* storage unavailable (file://, private mode): defaults */ }
  }
  function saveSettings() {
    try { window.localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings)); } catch (e) { /* ignore */ }
  }

  // ---------- state ----------
  function channelOf(name) {
    var channel = channels.get(name);
    if (!channel) {
      channel = { name: name, rows: new Map(), sorted: [], rowsDirty: false, alerts: new Map(), samples: [], problems: [],
        verdict: null, lengthCap: null, totals: { steps: 0, alerts: 0, samples: 0, problems: 0 }, view: null, selectedAlert: null };
      channels.set(name, channel);
      needsRebuild = true;
    }
    return channel;
  }
  function alertKey(alert) { return (alert.tag || '') + '|' + alert.id; }
  function addRow(channel, row) {
    if (!channel.rows.has(row.step)) channel.totals.steps++;
    channel.rows.set(row.step, row);
    if (channel.rows.size > MAX_ROWS) {
      var oldest = Infinity;
      channel.rows.forEach(function (_r, step) { if (step < oldest) oldest = step; });
      channel.rows.delete(oldest);
    }
    channel.rowsDirty = true;
  }
  function addAlert(channel, alert) {
    var key = alertKey(alert);
    if (!channel.alerts.has(key)) channel.totals.alerts++;
    channel.alerts.set(key, alert);
    if (channel.alerts.size > MAX_ALERTS) channel.alerts.delete(channel.alerts.keys().next().value);
  }
  function addSample(channel, sample) {
    channel.samples.push(sample);
    channel.totals.samples++;
    if (channel.samples.length > MAX_SAMPLES) channel.samples.shift();
  }
  function addProblem(channel, problem) {
    channel.problems.push(problem);
    channel.totals.problems++;
    if (channel.problems.length > MAX_PROBLEMS) channel.problems.shift();
  }
  function applySnapshot(snapshot) {
    var keepSelection = new Map();
    channels.forEach(function (c) { keepSelection.set(c.name, c.selectedAlert); });
    channels.clear();
    (snapshot.channels || []).forEach(function (c) {
      var channel = channelOf(c.channel);
      (c.rows || []).forEach(function (row) { addRow(channel, row); });
      (c.alerts || []).forEach(function (alert) { addAlert(channel, alert); });
      (c.samples || []).forEach(function (sample) { addSample(channel, sample); });
      (c.problems || []).forEach(function (problem) { addProblem(channel, problem); });
      channel.verdict = c.verdict || null;
      channel.lengthCap = typeof c.lengthCap === 'number' ? c.lengthCap : null;
      if (c.totals) channel.totals = { steps: c.totals.steps, alerts: c.totals.alerts, samples: c.totals.samples, problems: c.totals.problems };
      channel.selectedAlert = keepSelection.get(c.channel) || null;
    });
    needsRebuild = true;
    scheduleRender();
  }
  function applyUpdate(update) {
    var channel = channelOf(update.channel);
    switch (update.kind) {
      case 'row': addRow(channel, update.row); break;
      case 'alert': addAlert(channel, update.alert); break;
      case 'verdict': channel.verdict = update.verdict; break;
      case 'sample': addSample(channel, update.sample); break;
      case 'problem': addProblem(channel, update.problem); break;
      case 'meta': channel.lengthCap = update.lengthCap; break;
      default: break;
    }
  }
  function sortedRows(channel) {
    if (channel.rowsDirty) {
      channel.sorted = Array.from(channel.rows.values()).sort(function (a, b) { return a.step - b.step; });
      channel.rowsDirty = false;
    }
    return channel.sorted;
  }

  // ---------- chart plan ----------
  var COMPONENT_RE = /^reward\/(.+)\/mean$/;
  var REWARD_STATS = { 'reward/mean': 1, 'reward/std': 1, 'reward/min': 1, 'reward/max': 1, 'reward/group_std': 1 };
  var TITLES = {
    'length/drift_ks': 'length drift: KS distance of recent lengths to the run\'s first ones',
    'length/clip_ratio': 'length/clip_ratio (share truncated at the cap)'
  };
  var POLICY_ORDER = ['kl', 'entropy', 'grad_norm', 'loss', 'clip_ratio', 'learning_rate'];

  function metricNames(rows) {
    var names = new Set();
    for (var i = 0; i < rows.length; i++) for (var name in rows[i].metrics) names.add(name);
    return names;
  }
  function groupOf(name) {
    var slash = name.indexOf('/');
    return slash < 0 ? 'policy' : name.slice(0, slash);
  }
  /** Charts of a channel, grouped by metric prefix the way TensorBoard sections its scalars. */
  function planCharts(names, lengthCap) {
    var groups = new Map();
    function add(group, chart) { if (!groups.has(group)) groups.set(group, []); groups.get(group).push(chart); }
    var used = new Set();
    if (names.has('reward/mean')) {
      add('reward', { id: 'reward', title: 'reward/mean \u00b1 std', kind: 'band', mean: 'reward/mean', std: names.has('reward/std') ? 'reward/std' : null,
        extra: ['reward/min', 'reward/max'].filter(function (n) { return names.has(n); }) });
      ['reward/mean', 'reward/std', 'reward/min', 'reward/max'].forEach(function (n) { used.add(n); });
    }
    var components = [];
    names.forEach(function (name) { var m = COMPONENT_RE.exec(name); if (m && !REWARD_STATS[name]) components.push(name); });
    components.sort();
    if (components.length > 0) {
      add('reward', { id: 'components', title: 'reward components (mean)', kind: 'lines', metrics: components, share: true });
      components.forEach(function (n) { used.add(n); used.add(n.replace(/\/mean$/, '/std')); });
    }
    var groupMetrics = ['groups/zero_std_frac', 'groups/all_max_frac', 'groups/all_min_frac'].filter(function (n) { return names.has(n); });
    if (groupMetrics.length > 0) {
      add('groups', { id: 'groups', title: 'zero-spread groups: all / all-correct / all-wrong', kind: 'lines', metrics: groupMetrics, labels: { 'groups/zero_std_frac': 'zero std (all)', 'groups/all_max_frac': 'all correct', 'groups/all_min_frac': 'all wrong' } });
      groupMetrics.forEach(function (n) { used.add(n); });
    }
    var lengthMetrics = ['length/mean', 'length/max', 'length/min', 'length/terminated_mean'].filter(function (n) { return names.has(n); });
    if (lengthMetrics.length > 0) {
      add('length', { id: 'length', title: lengthCap ? 'length (cap ' + fmt(lengthCap) + ' dashed)' : 'length', kind: 'lines', metrics: lengthMetrics, cap: lengthCap });
      lengthMetrics.forEach(function (n) { used.add(n); });
    }
    var ordered = Array.from(names).filter(function (n) { return !used.has(n); });
    ordered.sort(function (a, b) {
      var ga = groupOf(a), gb = groupOf(b);
      if (ga !== gb) return ga < gb ? -1 : 1;
      var pa = POLICY_ORDER.indexOf(a), pb = POLICY_ORDER.indexOf(b);
      if (pa !== pb) return (pa < 0 ? 99 : pa) - (pb < 0 ? 99 : pb);
      return a < b ? -1 : a > b ? 1 : 0;
    });
    ordered.forEach(function (name) { add(groupOf(name), { id: 'm:' + name, title: TITLES[name] || name, kind: 'single', metric: name }); });
    var order = ['reward', 'groups', 'length', 'policy'];
    var keys = Array.from(groups.keys()).sort(function (a, b) {
      var ia = order.indexOf(a), ib = order.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return keys.map(function (key) { return { name: key, charts: groups.get(key) }; });
  }
  function planSignature(plan) {
    return plan.map(function (g) { return g.name + ':' + g.charts.map(function (c) { return c.id + (c.metrics ? '[' + c.metrics.join(',') + ']' : '') + (c.cap ? '^' + c.cap : ''); }).join(','); }).join(';');
  }

  // ---------- chart data ----------
  function column(rows, name) {
    var out = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) { var v = rows[i].metrics[name]; out[i] = isMetricNumber(v) ? v : null; }
    return out;
  }
  function xValues(rows) {
    return rows.map(function (r) { return settings.xAxis === 'time' ? r.t / 1000 : r.step; });
  }
  function smoothOrRaw(values) { return settings.smoothing > 0 ? ema(values, settings.smoothing) : values; }
  function chartData(chart, rows, channel) {
    var x = xValues(rows);
    if (chart.kind === 'band') {
      var mean = column(rows, chart.mean);
      var std = chart.std ? column(rows, chart.std) : mean.map(function () { return null; });
      var upper = mean.map(function (m, i) { return m === null || std[i] === null ? null : m + std[i]; });
      var lower = mean.map(function (m, i) { return m === null || std[i] === null ? null : m - std[i]; });
      var data = [x, mean, ema(mean, settings.smoothing), upper, lower];
      chart.extra.forEach(function (name) { data.push(column(rows, name)); });
      return data;
    }
    if (chart.kind === 'lines') {
      var lines = [x];
      chart.metrics.forEach(function (name) { lines.push(smoothOrRaw(column(rows, name))); });
      if (chart.cap) lines.push(x.map(function () { return channel.lengthCap; }));
      return lines;
    }
    var raw = column(rows, chart.metric);
    return [x, raw, ema(raw, settings.smoothing)];
  }
  function chartSeries(chart) {
    var series = [{ label: settings.xAxis === 'time' ? 'time' : 'step' }];
    if (chart.kind === 'band') {
      series.push({ label: 'mean', stroke: 'rgba(37,99,235,0.35)', width: 1 });
      series.push({ label: 'mean (EMA)', stroke: '#2563eb', width: 2 });
      series.push({ label: '+std', stroke: 'rgba(37,99,235,0.15)', width: 1 });
      series.push({ label: '-std', stroke: 'rgba(37,99,235,0.15)', width: 1 });
      chart.extra.forEach(function (name, i) { series.push({ label: name.replace('reward/', ''), stroke: COLORS[(i + 3) % COLORS.length], width: 1, dash: [4, 3] }); });
      return series;
    }
    if (chart.kind === 'lines') {
      chart.metrics.forEach(function (name, i) {
        var label = chart.labels && chart.labels[name] ? chart.labels[name] : name.replace(/^reward\//, '').replace(/\/mean$/, '');
        series.push({ label: label, stroke: COLORS[i % COLORS.length], width: 2 });
      });
      if (chart.cap) series.push({ label: 'cap', stroke: '#6b7280', width: 1, dash: [6, 4] });
      return series;
    }
    series.push({ label: 'raw', stroke: 'rgba(37,99,235,0.35)', width: 1 });
    series.push({ label: 'EMA', stroke: '#2563eb', width: 2 });
    return series;
  }
  var FRACTION_RE = /(^|\/)(clip_ratio|zero_std_frac|all_max_frac|all_min_frac|filter_pass_rate)$|_frac$|_ratio$|_ks$/;
  function isFraction(chart) {
    var names = chart.metrics || [chart.metric || chart.mean];
    return names.every(function (n) { return FRACTION_RE.test(n); });
  }
  function makePlot(chart, container, rows, channel, width) {
    var opts = {
      width: width,
      height: 170,
      scales: { x: { time: settings.xAxis === 'time' } },
      series: chartSeries(chart),
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [{ size: 30 }, { size: axisSize, values: function (_u, splits, _axisIdx, _space, incr) { return axisLabels(splits, incr); } }]
    };
    // The legend too: uPlot's default number format shows 1e-6 as 0.
    opts.series.forEach(function (series, i) { if (i > 0) series.value = function (_u, v) { return fmt(v); }; });
    if (chart.kind === 'band') opts.bands = [{ series: [3, 4], fill: 'rgba(37,99,235,0.12)' }];
    // Fractions keep their 0..1 axis (a flat 0 would otherwise be drawn on an arbitrary scale).
    if (isFraction(chart)) opts.scales.y = { range: function (_u, min, max) { return [Math.min(0, min), Math.max(1, max)]; } };
    return new window.uPlot(opts, chartData(chart, rows, channel), container);
  }

  // ---------- rendering ----------
  /**
   * The banner shows the run's worst state so far (what audit gates on: a calm ending never hides
   * a hack) with the state judged on the alerts open now beside it, as core/verdict.ts intends.
   */
  function renderBanner(channel, banner) {
    var verdict = channel.verdict;
    var status = verdict ? verdict.status : 'healthy';
    var current = verdict ? (verdict.current || verdict.status) : 'healthy';
    banner.className = 'banner ' + status;
    banner.textContent = '';
    var headline = el('div', 'headline', STATUS_TEXT[status] || status);
    banner.appendChild(headline);
    if (!verdict || status === 'healthy') {
      headline.appendChild(el('span', 'since', 'no warning so far (' + channel.totals.steps + ' steps, ' + channel.totals.alerts + ' alert episodes, none at warning or worse)'));
      return;
    }
    if (verdict.worstSince !== undefined) headline.appendChild(el('span', 'since', 'since step ' + verdict.worstSince));
    if (current !== status) headline.appendChild(el('span', 'since now', 'now: ' + (current === 'healthy' ? 'calm (the alerts behind it have resolved)' : STATUS_TEXT[current] || current)));
    var reasons = verdict.reasons && verdict.reasons.length > 0 ? verdict.reasons : (verdict.currentReasons || []);
    if (reasons.length > 0) {
      var list = el('ol');
      reasons.slice(0, 3).forEach(function (reason) {
        list.appendChild(el('li', null, (reason.tag !== undefined ? '[' + reason.tag + '] ' : '') + reason.message + ' (' + reason.detector + ' on ' + reason.metric + ', ' + reason.severity + ', started at step ' + reason.since + ')'));
      });
      banner.appendChild(list);
    }
  }
  function renderShare(chart, node, rows) {
    node.textContent = '';
    var last = null;
    for (var i = rows.length - 1; i >= 0 && !last; i--) {
      var row = rows[i];
      if (chart.metrics.some(function (n) { return isMetricNumber(row.metrics[n]); })) last = row;
    }
    if (!last) return;
    var total = 0;
    chart.metrics.forEach(function (n) { var v = last.metrics[n]; if (isMetricNumber(v)) total += Math.abs(v); });
    var bar = el('div', 'share');
    var legend = el('div', 'share-legend');
    chart.metrics.forEach(function (name, i) {
      var v = last.metrics[name];
      var share = total > 0 && isMetricNumber(v) ? Math.abs(v) / total : 0;
      var part = el('span');
      part.style.width = (share * 100).toFixed(2) + '%';
      part.style.background = COLORS[i % COLORS.length];
      part.title = name + ': ' + (share * 100).toFixed(1) + '%';
      bar.appendChild(part);
      var key = el('span');
      var swatch = el('i');
      swatch.style.background = COLORS[i % COLORS.length];
      key.appendChild(swatch);
      key.appendChild(document.createTextNode(name.replace(/^reward\//, '').replace(/\/mean$/, '') + ' ' + (share * 100).toFixed(0) + '%'));
      legend.appendChild(key);
    });
    node.appendChild(el('div', 'title', 'share of |reward| by component at step ' + last.step));
    node.appendChild(bar);
    node.appendChild(legend);
  }
  function renderAlerts(channel, view) {
    var body = view.alertBody;
    body.textContent = '';
    var alerts = Array.from(channel.alerts.values()).reverse();
    view.alertCount.textContent = alerts.length === 0 ? 'none' : String(alerts.length);
    alerts.forEach(function (alert) {
      var key = alertKey(alert);
      var tr = el('tr', 'alert-row' + (channel.selectedAlert === key ? ' selected' : '') + (alert.state === 'resolved' ? ' state-resolved' : ''));
      tr.setAttribute('data-alert', key);
      tr.appendChild(el('td', 'sev ' + alert.severity, alert.severity));
      tr.appendChild(el('td', null, alert.detector + (alert.tag ? ' [' + alert.tag + ']' : '')));
      tr.appendChild(el('td', null, alert.metric));
      tr.appendChild(el('td', null, alert.since));
      tr.appendChild(el('td', null, alert.state));
      tr.appendChild(el('td', null, alert.message));
      var samples = alert.evidence && alert.evidence.samples ? alert.evidence.samples.length : 0;
      tr.appendChild(el('td', null, samples > 0 ? samples + ' samples' : ''));
      tr.addEventListener('click', function () {
        channel.selectedAlert = channel.selectedAlert === key ? null : key;
        renderAlerts(channel, view);
        renderSamples(channel, view);
      });
      body.appendChild(tr);
    });
  }
  function sampleCells(tr, sample) {
    tr.appendChild(el('td', null, sample.step));
    tr.appendChild(el('td', null, sample.group === undefined ? '' : sample.group));
    tr.appendChild(el('td', null, fmt(sample.reward)));
    var components = sample.components ? Object.keys(sample.components).map(function (k) { return k + '=' + fmt(sample.components[k]); }).join(' ') : '';
    tr.appendChild(el('td', null, components));
    tr.appendChild(el('td', null, fmt(sample.length)));
    tr.appendChild(el('td', null, fmt(sample.repetition !== undefined ? sample.repetition : sample.score)));
    var cell = el('td');
    cell.appendChild(el('div', 'text', sample.response === undefined ? '' : sample.response));
    tr.appendChild(cell);
  }
  function renderSamples(channel, view) {
    var body = view.sampleBody;
    body.textContent = '';
    view.evidence.textContent = '';
    var samples = channel.samples.slice().reverse();
    var selected = channel.selectedAlert ? channel.alerts.get(channel.selectedAlert) : null;
    if (selected) {
      samples = (selected.evidence && selected.evidence.samples) || [];
      view.evidence.appendChild(document.createTextNode('Evidence of ' + selected.detector + ' on ' + selected.metric + ' (since step ' + selected.since + '): '));
      var stats = selected.evidence && selected.evidence.stats ? selected.evidence.stats : {};
      view.evidence.appendChild(document.createTextNode(Object.keys(stats).map(function (k) { return k + '=' + fmt(stats[k]); }).join(', ')));
      var clear = el('button', null, 'show all flagged samples');
      clear.addEventListener('click', function () { channel.selectedAlert = null; renderAlerts(channel, view); renderSamples(channel, view); });
      view.evidence.appendChild(clear);
      if (samples.length === 0) view.evidence.appendChild(el('div', null, 'This alert carries no samples.'));
    }
    view.sampleTitle.textContent = selected ? 'Evidence samples' : 'Flagged samples';
    samples.forEach(function (sample) {
      var tr = el('tr', 'sample-row');
      sampleCells(tr, sample);
      body.appendChild(tr);
    });
  }
  function table(headers) {
    var t = el('table');
    var head = el('thead');
    var tr = el('tr');
    headers.forEach(function (h) { tr.appendChild(el('th', null, h)); });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el('tbody');
    t.appendChild(body);
    return { table: t, body: body };
  }
  function buildChannelView(channel) {
    var section = el('section', 'run');
    section.setAttribute('data-channel', channel.name);
    var title = el('h2');
    title.appendChild(el('span', null, channel.name));
    var counts = el('span', 'counts');
    title.appendChild(counts);
    section.appendChild(title);
    var banner = el('div', 'banner healthy');
    section.appendChild(banner);
    var chartsEl = el('div', 'chart-groups');
    section.appendChild(chartsEl);
    var alertGroup = el('div', 'group alerts');
    var alertTitle = el('h3', null, 'Alerts ');
    var alertCount = el('span', 'muted');
    alertTitle.appendChild(alertCount);
    alertGroup.appendChild(alertTitle);
    var alertTable = table(['severity', 'detector', 'metric', 'since', 'state', 'message', 'evidence']);
    var alertScroll = el('div', 'scroll');
    alertScroll.appendChild(alertTable.table);
    alertGroup.appendChild(alertScroll);
    section.appendChild(alertGroup);
    var sampleGroup = el('div', 'group samples');
    var sampleTitle = el('h3', null, 'Flagged samples');
    sampleGroup.appendChild(sampleTitle);
    var evidence = el('div', 'evidence');
    sampleGroup.appendChild(evidence);
    var sampleTable = table(['step', 'group', 'reward', 'components', 'length', 'repetition', 'text']);
    var sampleScroll = el('div', 'scroll');
    sampleScroll.appendChild(sampleTable.table);
    sampleGroup.appendChild(sampleScroll);
    section.appendChild(sampleGroup);
    var problems = el('div', 'problems');
    section.appendChild(problems);
    return { section: section, counts: counts, banner: banner, chartsEl: chartsEl, alertBody: alertTable.body, alertCount: alertCount,
      sampleBody: sampleTable.body, sampleTitle: sampleTitle, evidence: evidence, problems: problems, plans: null, signature: '', charts: [] };
  }
  function destroyCharts(view) {
    view.charts.forEach(function (c) { c.plot.destroy(); });
    view.charts = [];
    charts = charts.filter(function (c) { return c.view !== view; });
  }
  function buildCharts(channel, view, rows) {
    destroyCharts(view);
    view.chartsEl.textContent = '';
    var plan = planCharts(metricNames(rows), channel.lengthCap);
    view.signature = planSignature(plan);
    plan.forEach(function (group) {
      var groupEl = el('div', 'group');
      groupEl.setAttribute('data-group', group.name);
      groupEl.appendChild(el('h3', null, group.name));
      var grid = el('div', 'charts');
      groupEl.appendChild(grid);
      view.chartsEl.appendChild(groupEl);
      var boxes = group.charts.map(function (chart) {
        var box = el('div', 'chart');
        box.setAttribute('data-chart', chart.id);
        box.appendChild(el('div', 'title', chart.title));
        grid.appendChild(box);
        return box;
      });
      // Measure once the grid has laid the boxes out, so each plot fills its own cell.
      group.charts.forEach(function (chart, i) {
        var box = boxes[i];
        var plot = makePlot(chart, box, rows, channel, Math.max(200, box.clientWidth || 300));
        var entry = { channel: channel.name, id: chart.id, chart: chart, plot: plot, view: view, share: null };
        if (chart.share) { entry.share = el('div', 'share-box'); box.appendChild(entry.share); renderShare(chart, entry.share, rows); }
        view.charts.push(entry);
        charts.push(entry);
      });
    });
  }
  function renderChannel(channel) {
    if (!channel.view) {
      channel.view = buildChannelView(channel);
      runsEl.appendChild(channel.view.section);
    }
    var view = channel.view;
    var rows = sortedRows(channel);
    view.counts.textContent = channel.totals.steps + ' steps, ' + channel.totals.alerts + ' alert episodes, ' + channel.totals.samples + ' flagged samples' +
      (rows.length > 0 ? ', last step ' + rows[rows.length - 1].step : '');
    renderBanner(channel, view.banner);
    var plan = planCharts(metricNames(rows), channel.lengthCap);
    if (needsRebuild || planSignature(plan) !== view.signature) buildCharts(channel, view, rows);
    else view.charts.forEach(function (entry) {
      entry.plot.setData(chartData(entry.chart, rows, channel));
      if (entry.share) renderShare(entry.chart, entry.share, rows);
    });
    renderAlerts(channel, view);
    renderSamples(channel, view);
    view.problems.textContent = channel.totals.problems > 0
      ? channel.totals.problems + ' input problems; latest: ' + channel.problems.slice(-3).map(function (p) { return p.source + ':' + p.line + ' ' + p.reason; }).join(' | ')
      : '';
  }
  function render() {
    renderTimer = null;
    lastRender = Date.now();
    var empty = runsEl.querySelector('.empty');
    if (channels.size > 0 && empty) empty.remove();
    // Channels dropped by a resync snapshot lose their section.
    Array.prototype.slice.call(runsEl.querySelectorAll('section.run')).forEach(function (section) {
      var name = section.getAttribute('data-channel');
      var channel = channels.get(name);
      if (!channel || channel.view === null || channel.view.section !== section) section.remove();
    });
    channels.forEach(function (channel) { renderChannel(channel); });
    needsRebuild = false;
    window.__goodhart.renders++;
  }
  function scheduleRender() {
    if (settings.paused || renderTimer !== null) return;
    var wait = Math.max(0, RENDER_MS - (Date.now() - lastRender));
    renderTimer = window.setTimeout(function () { window.requestAnimationFrame(render); }, wait);
  }

  // ---------- export ----------
  function csvCell(value) {
    var text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text) && !/^-?[0-9.]+(e[-+]?[0-9]+)?$/i.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  /** The rows on screen: every channel's history, cut to the x range a chart is zoomed to. */
  function exportCsv() {
    var names = new Set();
    var lines = [];
    channels.forEach(function (channel) { sortedRows(channel).forEach(function (row) { for (var n in row.metrics) names.add(n); }); });
    var columns = Array.from(names).sort();
    lines.push(['channel', 'step', 'time'].concat(columns).map(csvCell).join(','));
    channels.forEach(function (channel) {
      var range = null;
      var first = channel.view && channel.view.charts[0];
      if (first && first.plot.scales.x && first.plot.scales.x.min !== null && first.plot.scales.x.max !== null) range = [first.plot.scales.x.min, first.plot.scales.x.max];
      sortedRows(channel).forEach(function (row) {
        var x = settings.xAxis === 'time' ? row.t / 1000 : row.step;
        if (range && (x < range[0] || x > range[1])) return;
        lines.push([channel.name, row.step, new Date(row.t).toISOString()].concat(columns.map(function (n) { return row.metrics[n]; })).map(csvCell).join(','));
      });
    });
    return lines.join('\r\n') + '\r\n';
  }
  function downloadCsv() {
    var blob = new Blob([exportCsv()], { type: 'text/csv' });
    var url = URL.createObjectURL(blob);
    var link = el('a');
    link.href = url;
    link.download = 'goodhart-dashboard.csv';
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // ---------- controls ----------
  function setupControls() {
    var pause = document.getElementById('pause');
    var smoothing = document.getElementById('smoothing');
    var smoothingValue = document.getElementById('smoothing-value');
    var xAxis = document.getElementById('x-axis');
    var exportButton = document.getElementById('export');
    function showPause() { pause.textContent = settings.paused ? 'Follow' : 'Pause'; pause.setAttribute('aria-pressed', String(settings.paused)); }
    showPause();
    smoothing.value = String(settings.smoothing);
    smoothingValue.textContent = settings.smoothing.toFixed(2);
    xAxis.value = settings.xAxis;
    pause.addEventListener('click', function () {
      settings.paused = !settings.paused;
      saveSettings();
      showPause();
      if (!settings.paused) { needsRebuild = true; scheduleRender(); }
    });
    smoothing.addEventListener('input', function () {
      var value = Number(smoothing.value);
      settings.smoothing = value >= 0 && value < 1 ? value : 0;
      smoothingValue.textContent = settings.smoothing.toFixed(2);
      saveSettings();
      if (!settings.paused) render();
    });
    xAxis.addEventListener('change', function () {
      settings.xAxis = xAxis.value === 'time' ? 'time' : 'step';
      saveSettings();
      needsRebuild = true;
      if (!settings.paused) render();
    });
    exportButton.addEventListener('click', downloadCsv);
    var resizeTimer = null;
    window.addEventListener('resize', function () {
      if (resizeTimer !== null) window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(function () { resizeTimer = null; needsRebuild = true; render(); }, 200);
    });
  }

  // ---------- transport ----------
  function connect(attempt) {
    var token = new URLSearchParams(window.location.search).get('token');
    var url = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : '');
    var socket = new WebSocket(url);
    socket.addEventListener('open', function () { attempt = 0; connectionEl.className = 'live'; connectionEl.textContent = 'live'; });
    socket.addEventListener('message', function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === 'snapshot') applySnapshot(message.snapshot);
      else if (message.type === 'updates') { message.updates.forEach(applyUpdate); scheduleRender(); }
      window.__goodhart.messages++;
    });
    socket.addEventListener('close', function () {
      connectionEl.className = 'down';
      connectionEl.textContent = 'disconnected; retrying';
      var delay = Math.min(10000, 500 * Math.pow(2, attempt));
      window.setTimeout(function () { connect(attempt + 1); }, delay);
    });
  }

  window.__goodhart = { channels: channels, ema: ema, axisLabels: axisLabels, exportCsv: exportCsv, settings: settings, renders: 0, messages: 0,
    chartData: function () { return charts.map(function (c) { return { channel: c.channel, id: c.id, points: c.plot.data[0].length, series: c.plot.data.length }; }); } };
  Object.defineProperty(window.__goodhart, 'charts', { get: function () { return charts; } });

  loadSettings();
  setupControls();
  var dataEl = document.getElementById('goodhart-data');
  if (dataEl) {
    staticMode = true;
    settings.paused = false;
    connectionEl.textContent = 'static report';
    applySnapshot(JSON.parse(dataEl.textContent || '{}'));
  } else {
    connect(0);
  }
  window.__goodhart.staticMode = staticMode;
})();
`;
