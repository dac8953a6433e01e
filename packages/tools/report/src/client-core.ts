/**
 * Browser script, part 1: helpers and the fleet summary. Everything reaches the page through `textContent` and
 * `setAttribute` (never innerHTML), so a user name like `<script>` from an attacker's log stays text.
 * Written as plain ES2020 in a string: the report is one file with no build step in the browser.
 */
export const CLIENT_CORE = String.raw`
var OUTCOMES = {
  success: ['\u2713', 'Success'], failure: ['\u2717', 'Failure'], incomplete: ['\u2026', 'Incomplete'],
  cancelled: ['\u2298', 'Cancelled'], probe: ['\u25C7', 'Probe']
};
var STAGES = { client: 'Client', gateway: 'DA server (IIS)', radius: 'NPS / OTP server', ca: 'CA' };
var STAGE_ORDER = ['client', 'gateway', 'radius', 'ca'];
var state = { data: null, S: [], keys: [], filtered: [], page: 0, opener: null, pageSize: 50 };

function h(tag, props) {
  var node = document.createElement(tag);
  if (props) for (var k in props) {
    if (k === 'text') node.textContent = props[k];
    else if (k === 'className') node.className = props[k];
    else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), props[k]);
    else if (props[k] !== null && props[k] !== undefined) node.setAttribute(k, String(props[k]));
  }
  for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
  return node;
}
function add(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { add(node, c); }); return; }
  node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}
function svg(tag, attrs) {
  var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (var k in attrs) node.setAttribute(k, String(attrs[k]));
  return node;
}
function str(i) { return i >= 0 ? state.S[i] : null; }
function $(id) { return document.getElementById(id); }
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function iso(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC'); }
function duration(ms) {
  if (ms === 0) return '0 ms';
  if (ms < 1) return ms.toFixed(2) + ' ms';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 120000) return (ms / 1000).toFixed(2) + ' s';
  return (ms / 60000).toFixed(1) + ' min';
}
function badge(outcome) {
  var o = OUTCOMES[outcome] || ['?', outcome];
  return h('span', { className: 'badge o-' + outcome }, h('span', { 'aria-hidden': 'true', text: o[0] + ' ' }), o[1]);
}
function stageName(stage) { return stage === null ? '' : STAGES[stage] || stage; }
function traceHref(traceId) {
  if (!config.traceUrl) return null;
  try {
    var url = new URL(config.traceUrl.split('{traceId}').join(encodeURIComponent(traceId)), location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (e) { return null; }
}
function count(n) { return n.toLocaleString('en-US'); }

function renderFleet() {
  var f = state.data.fleet, t = f.totals;
  clear($('totals'));
  var rate = t.failureRate === null ? 'n/a' : (t.failureRate * 100).toFixed(1) + '%';
  [['Attempts', t.attempts, null], ['Success', t.success, 'success'], ['Failure', t.failure, 'failure'],
   ['Failure rate', rate, null], ['Incomplete', t.incomplete, 'incomplete'], ['Cancelled', t.cancelled, 'cancelled'],
   ['Probes', t.probes, 'probe']].forEach(function (c) {
    $('totals').appendChild(h('li', { className: 'card' }, h('b', { text: typeof c[1] === 'number' ? count(c[1]) : c[1] }),
      c[2] ? badge(c[2]) : c[0]));
  });
  var period = f.from ? iso(Date.parse(f.from)) + ' \u2013 ' + iso(Date.parse(f.to)) : 'no attempts';
  $('period').textContent = period;
  renderChart(f.hourly);
  var stages = STAGE_ORDER.filter(function (s) { return f.byStage[s]; }).map(function (s) {
    return { label: stageName(s), count: f.byStage[s], filter: ['stage', s] };
  });
  renderBars($('by-stage'), stages);
  renderBars($('by-cause'), f.byCause.map(function (c) {
    return { label: c.title + ' (' + c.code + ')', count: c.count, filter: ['cause', c.code] };
  }));
}

function renderBars(host, items) {
  clear(host);
  if (items.length === 0) { host.appendChild(h('p', { className: 'empty', text: 'No failures.' })); return; }
  var max = Math.max.apply(null, items.map(function (i) { return i.count; }));
  var list = h('ul', { className: 'hbars' });
  items.forEach(function (item) {
    list.appendChild(h('li', null, h('button', { type: 'button', className: 'hbar',
      title: 'Show these attempts', onclick: function () { setFilter(item.filter[0], item.filter[1]); } },
      h('span', { className: 'label', text: item.label }), h('b', { text: count(item.count) }),
      h('span', { className: 'fill', style: 'width:' + (100 * item.count / max).toFixed(1) + '%' }))));
  });
  host.appendChild(list);
}

/** Stacked bars per hour (per day when there are many hours): success, failure (striped), other. */
function renderChart(hourly) {
  var host = clear($('chart'));
  if (hourly.length === 0) { host.appendChild(h('p', { className: 'empty', text: 'No attempts.' })); return; }
  var daily = hourly.length > 96;
  var rows = daily ? byDay(hourly) : hourly.map(function (r) {
    return { bucket: r.bucket, success: r.success, failure: r.failure, other: r.incomplete + r.cancelled };
  });
  var W = 600, H = 180, pad = 28, n = rows.length, bw = (W - pad) / n;
  var max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.success + r.failure + r.other; })));
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + (H + 20), role: 'img',
    'aria-label': 'Attempts per ' + (daily ? 'day' : 'hour') + ' by outcome; table below' });
  root.setAttribute('class', 'chart');
  var defs = svg('defs', {}), pat = svg('pattern', { id: 'stripes', width: 6, height: 6,
    patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pat.appendChild(svg('rect', { width: 6, height: 6, fill: '#b91c1c' }));
  pat.appendChild(svg('rect', { width: 2, height: 6, fill: '#7f1d1d' }));
  defs.appendChild(pat); root.appendChild(defs);
  root.appendChild(svg('line', { x1: pad, y1: H, x2: W, y2: H, stroke: '#52525b' }));
  var label = svg('text', { x: 0, y: 12, 'font-size': 11, fill: '#52525b' }); label.textContent = String(max);
  root.appendChild(label);
  rows.forEach(function (r, i) {
    var g = svg('g', {}), y = H, x = pad + i * bw + bw * 0.1, w = Math.max(1, bw * 0.8);
    var tip = svg('title', {});
    tip.textContent = r.bucket + ': ' + r.success + ' success, ' + r.failure + ' failure, ' + r.other + ' other';
    g.appendChild(tip);
    [['success', '#1d4ed8'], ['failure', 'url(#stripes)'], ['other', '#9ca3af']].forEach(function (p) {
      var v = r[p[0]]; if (!v) return;
      var bh = (H - 16) * v / max; y -= bh;
      g.appendChild(svg('rect', { x: x, y: y, width: w, height: bh, fill: p[1] }));
    });
    root.appendChild(g);
  });
  [[0, 'start'], [n - 1, 'end']].forEach(function (e) {
    var t = svg('text', { x: e[1] === 'start' ? pad : W, y: H + 15, 'font-size': 11, fill: '#52525b',
      'text-anchor': e[1] }); t.textContent = rows[e[0]].bucket.replace('T', ' ').slice(0, 16);
    root.appendChild(t);
  });
  host.appendChild(root);
  var legend = h('ul', { className: 'legend' });
  [['#1d4ed8', '\u2713 Success'], ['repeating-linear-gradient(135deg,#b91c1c 0 4px,#7f1d1d 4px 6px)', '\u2717 Failure'],
   ['#9ca3af', 'Other (incomplete, cancelled)']].forEach(function (l) {
    legend.appendChild(h('li', null, h('span', { className: 'swatch', style: 'background:' + l[0] }), l[1]));
  });
  host.appendChild(legend);
  var table = h('table', null, h('thead', null, h('tr', null, h('th', { text: 'Time (UTC)' }), h('th', { text: 'Success' }),
    h('th', { text: 'Failure' }), h('th', { text: 'Other' }))), h('tbody', null, rows.map(function (r) {
    return h('tr', null, h('td', { text: r.bucket }), h('td', { text: r.success }), h('td', { text: r.failure }),
      h('td', { text: r.other }));
  })));
  host.appendChild(h('details', null, h('summary', { text: 'Chart as a table' }), table));
}
function byDay(hourly) {
  var days = [];
  hourly.forEach(function (r) {
    var day = r.bucket.slice(0, 10), last = days[days.length - 1];
    if (!last || last.bucket !== day) { last = { bucket: day, success: 0, failure: 0, other: 0 }; days.push(last); }
    last.success += r.success; last.failure += r.failure; last.other += r.incomplete + r.cancelled;
  });
  return days;
}
`;
