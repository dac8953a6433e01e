/**
 * Browser script of the report, part 1: the fleet summary. Cards, the outcomes chart (with axes; dragging across it
 * picks the time range of the list), failures by stage and cause, and the tables per DA server, NPS, CA and client
 * subnet, the latency percentiles and the top failing users; names in them filter the list.
 */
export const CLIENT_FLEET = String.raw`
var ROLES = [['gateway', 'DA servers (IIS)', 'DA server'], ['radius', 'NPS servers', 'NPS server'],
  ['ca', 'Certification authorities', 'CA'], ['subnet', 'Client subnets', 'Subnet']];

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
  renderTables(f);
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

/** Four gridlines of a whole, round step (1, 2, 2.5, 5 x 10^k) reaching at least v. */
function niceMax(v) {
  var raw = Math.max(v, 4) / 4, p = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * p; }).filter(function (s) { return s >= raw && s % 1 === 0; })[0];
  return 4 * step;
}

/** Stacked bars per hour (per day past 96 hours) with labelled axes; drag across the bars to pick a time range. */
function renderChart(hourly) {
  var host = clear($('chart'));
  if (hourly.length === 0) { host.appendChild(h('p', { className: 'empty', text: 'No attempts.' })); return; }
  var daily = hourly.length > 96, size = daily ? 86400000 : 3600000;
  var rows = daily ? byDay(hourly) : hourly.map(function (r) {
    return { bucket: r.bucket, success: r.success, failure: r.failure, other: r.incomplete + r.cancelled };
  });
  rows.forEach(function (r) { r.start = Date.parse(r.bucket); r.end = r.start + size; });
  state.chartRows = rows;
  var W = 1000, H = 240, L = 56, B = 44, T = 8, plot = H - B - T, n = rows.length, bw = (W - L - 4) / n;
  var max = niceMax(Math.max.apply(null, rows.map(function (r) { return r.success + r.failure + r.other; })));
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', id: 'chart-svg',
    'aria-label': 'Attempts per ' + (daily ? 'day' : 'hour') + ' (UTC) by outcome; drag across to pick a time range; table below' });
  root.setAttribute('class', 'chart brushable');
  var defs = svg('defs', {}), pat = svg('pattern', { id: 'stripes', width: 6, height: 6,
    patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pat.appendChild(svg('rect', { width: 6, height: 6, fill: '#b91c1c' }));
  pat.appendChild(svg('rect', { width: 2, height: 6, fill: '#7f1d1d' }));
  defs.appendChild(pat); root.appendChild(defs);
  var text = function (x, y, s, anchor, extra) {
    var t = svg('text', Object.assign({ x: x, y: y, 'font-size': 12, fill: '#3f3f46', 'text-anchor': anchor }, extra || {}));
    t.textContent = s; root.appendChild(t);
  };
  [0, 0.25, 0.5, 0.75, 1].forEach(function (q) {
    var y = T + plot - q * plot;
    root.appendChild(svg('line', { x1: L, y1: y, x2: W, y2: y, stroke: q === 0 ? '#52525b' : '#e4e4e7' }));
    text(L - 6, y + 4, count(Math.round(q * max)), 'end');
  });
  text(12, T + plot / 2, 'attempts', 'middle', { transform: 'rotate(-90 12 ' + (T + plot / 2) + ')' });
  var selection = svg('rect', { x: 0, y: T, width: 0, height: plot, fill: '#ddd6fe', id: 'brush' });
  root.appendChild(selection);
  var every = Math.max(1, Math.ceil(n / 10));
  rows.forEach(function (r, i) {
    var g = svg('g', { 'data-bucket': r.bucket }), y = T + plot, x = L + i * bw + bw * 0.1, w = Math.max(1, bw * 0.8);
    var tip = svg('title', {});
    tip.textContent = r.bucket + ': ' + r.success + ' success, ' + r.failure + ' failure, ' + r.other + ' other';
    g.appendChild(tip);
    [['success', '#1d4ed8'], ['failure', 'url(#stripes)'], ['other', '#9ca3af']].forEach(function (p) {
      var v = r[p[0]]; if (!v) return;
      var bh = plot * v / max; y -= bh;
      g.appendChild(svg('rect', { x: x, y: y, width: w, height: bh, fill: p[1] }));
    });
    root.appendChild(g);
    if (i % every === 0) {
      root.appendChild(svg('line', { x1: L + (i + 0.5) * bw, y1: T + plot, x2: L + (i + 0.5) * bw, y2: T + plot + 4, stroke: '#52525b' }));
      text(L + (i + 0.5) * bw, T + plot + 17, daily ? r.bucket.slice(0, 10) : r.bucket.slice(5, 16).replace('T', ' '), 'middle');
    }
  });
  text(L + (W - L) / 2, H - 6, (daily ? 'day' : 'hour') + ' (UTC)' + (n > 1 ? ', ' + rows[0].bucket.slice(0, 4) : ''), 'middle');
  host.appendChild(root);
  showBrush();
  wireBrush(root, L, bw, W);
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

/** Pointer drag across the chart: the buckets under it become the list's time range (From/To fields). */
function wireBrush(root, L, bw, W) {
  var start = null;
  var bucketAt = function (e) {
    var box = root.getBoundingClientRect(), x = (e.clientX - box.left) * W / box.width;
    return Math.max(0, Math.min(state.chartRows.length - 1, Math.floor((x - L) / bw)));
  };
  var paint = function (a, b) {
    var lo = Math.min(a, b), hi = Math.max(a, b), sel = $('brush');
    sel.setAttribute('x', L + lo * bw); sel.setAttribute('width', (hi - lo + 1) * bw);
  };
  root.addEventListener('pointerdown', function (e) { start = bucketAt(e); root.setPointerCapture(e.pointerId); paint(start, start); });
  root.addEventListener('pointermove', function (e) { if (start !== null) paint(start, bucketAt(e)); });
  root.addEventListener('pointerup', function (e) {
    if (start === null) return;
    var end = bucketAt(e), lo = state.chartRows[Math.min(start, end)], hi = state.chartRows[Math.max(start, end)];
    start = null;
    setTimeRange(lo.start, hi.end);
  });
}

/** The brush shows the From/To range of the list over the chart. */
function showBrush() {
  var sel = $('brush'), rows = state.chartRows || [];
  if (!sel) return;
  var from = utcInput($('f-from').value), to = utcInput($('f-to').value);
  var first = -1, last = -1;
  rows.forEach(function (r, i) {
    if ((isNaN(from) || r.end > from) && (isNaN(to) || r.start < to)) { if (first < 0) first = i; last = i; }
  });
  var on = first >= 0 && !(isNaN(from) && isNaN(to));
  var box = $('chart-svg').viewBox.baseVal, bw = (box.width - 56 - 4) / rows.length;
  sel.setAttribute('x', on ? 56 + first * bw : 0);
  sel.setAttribute('width', on ? (last - first + 1) * bw : 0);
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

/** The per-server, per-subnet, latency and top-user tables of the whole analysis. */
function renderTables(f) {
  var host = clear($('tables'));
  if (!f.servers) { host.appendChild(h('p', { className: 'empty', text: 'Not in this data.' })); return; }
  ROLES.forEach(function (role) {
    var counts = f.servers[role[0]], names = Object.keys(counts).sort(function (a, b) {
      return counts[b].failure - counts[a].failure || counts[b].attempts - counts[a].attempts || (a < b ? -1 : 1);
    });
    host.appendChild(h('div', { className: 'fleet-table', id: 'table-' + role[0] }, h('h3', { text: role[1] }),
      names.length === 0 ? h('p', { className: 'empty', text: 'None.' }) : h('table', null,
        h('thead', null, h('tr', null, [role[2], 'Attempts', 'Failed', 'Fail %', 'Probes'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
        h('tbody', null, names.map(function (name) {
          var c = counts[name];
          return h('tr', null, h('td', null, h('button', { type: 'button', className: 'link', title: 'Show its attempts',
            onclick: function () { filterByName(role[0], name); } }, name)), h('td', { text: count(c.attempts) }),
            h('td', { text: count(c.failure) }), h('td', { text: c.failureRate === null ? 'n/a' : (c.failureRate * 100).toFixed(1) + '%' }),
            h('td', { text: count(c.probes) }));
        })))));
  });
  var L = f.latencies;
  host.appendChild(h('div', { className: 'fleet-table', id: 'table-latency' }, h('h3', { text: 'Latency (user attempts)' }),
    h('table', null, h('thead', null, h('tr', null, ['Stage', 'Count', 'p50', 'p90', 'p99', 'Max'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
      h('tbody', null, [['RADIUS decision', L.radius], ['CA issuance', L.ca], ['End to end', L.endToEnd]].map(function (r) {
        var ms = function (v) { return v === null ? 'n/a' : duration(v); };
        return h('tr', null, h('td', { text: r[0] }), h('td', { text: count(r[1].count) }), h('td', { text: ms(r[1].p50) }),
          h('td', { text: ms(r[1].p90) }), h('td', { text: ms(r[1].p99) }), h('td', { text: ms(r[1].max) }));
      })))));
  host.appendChild(h('div', { className: 'fleet-table', id: 'table-users' }, h('h3', { text: 'Top failing users' }),
    f.topFailingUsers.length === 0 ? h('p', { className: 'empty', text: 'No failures.' }) : h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'User' }), h('th', { scope: 'col', text: 'Failures' }))),
      h('tbody', null, f.topFailingUsers.map(function (u) {
        return h('tr', null, h('td', null, h('button', { type: 'button', className: 'link', title: 'Show this user\u2019s attempts',
          onclick: function () { filterByName('user', u.user); } }, u.user)), h('td', { text: count(u.failures) }));
      })))));
}
`;
