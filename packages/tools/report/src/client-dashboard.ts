/**
 * Browser script of the operations dashboard (after the shared helpers and the attempt dialog). The analyst's view
 * (range, bucket, stage, cause, server, open ticket) lives in `view` and in the URL's hash; every refresh, timed or
 * not, asks the API for that view, so a live update never resets a filter. All times are UTC.
 */
export const CLIENT_DASHBOARD = String.raw`
var RANGES = { '1h': 3600000, '24h': 86400000, '7d': 604800000 };
var STAGE_COLOURS = { client: '#6d28d9', gateway: '#b45309', radius: '#b91c1c', ca: '#0f766e' };
var ROLE_TITLES = { gateway: 'DA servers (IIS)', radius: 'NPS servers', ca: 'Certification authorities' };
var view = { range: '1h', from: null, to: null, bucket: null, step: null, stage: null, cause: null, host: null };
var live = { seq: 0, tickets: [] };

function stepText(ms) {
  return ms % 86400000 === 0 ? ms / 86400000 + ' d' : ms % 3600000 === 0 ? ms / 3600000 + ' h' : ms / 60000 + ' min';
}
function utcClock(d) { return d.toISOString().slice(11, 19) + ' UTC'; }
function pct(x) { return x === null ? 'n/a' : (x * 100).toFixed(x < 0.1 && x > 0 ? 2 : 1) + '%'; }
function ago(ms) {
  var s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return s + ' s';
  if (s < 5400) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return Math.round(s / 86400) + ' d';
}
function rangeNow() {
  if (view.range === 'custom') return { from: view.from, to: view.to };
  var to = Date.now();
  return { from: to - RANGES[view.range], to: to };
}
function query(params) {
  return Object.keys(params).filter(function (k) { return params[k] !== null && params[k] !== undefined; })
    .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
}
function getJson(url) {
  return fetch(url, { cache: 'no-store' }).then(function (r) {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.json();
  });
}

/** The view in the URL's hash, so a reload (or a link sent to a colleague) shows the same. */
function saveView() {
  history.replaceState(null, '', '#' + query({ range: view.range, from: view.range === 'custom' ? new Date(view.from).toISOString() : null,
    to: view.range === 'custom' ? new Date(view.to).toISOString() : null, bucket: view.bucket, step: view.bucket ? view.step : null, stage: view.stage,
    cause: view.cause, host: view.host }));
}
function loadView() {
  var p = new URLSearchParams(location.hash.slice(1));
  if (p.get('range') === 'custom' && Date.parse(p.get('from')) < Date.parse(p.get('to'))) {
    view.range = 'custom'; view.from = Date.parse(p.get('from')); view.to = Date.parse(p.get('to'));
  } else if (RANGES[p.get('range')]) view.range = p.get('range');
  ['bucket', 'stage', 'cause', 'host'].forEach(function (k) { view[k] = p.get(k); });
  view.step = Number(p.get('step')) || null;
  if (!view.step) view.bucket = null;
}

function refresh() {
  var seq = ++live.seq, r = rangeNow();
  var span = { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
  // A clicked bucket keeps its own width (the view in the URL carries it), whatever the chart's step becomes.
  var list = view.bucket ? { from: view.bucket, to: new Date(Date.parse(view.bucket) + view.step).toISOString() } : span;
  renderPicker(r);
  renderChips();
  return Promise.all([
    getJson(config.apiBase + '/rate?' + query(span)),
    getJson(config.apiBase + '/servers?' + query(span)),
    getJson(config.ticketsUrl),
    getJson(config.apiBase + '/failures?' + query({ from: list.from, to: list.to, stage: view.stage, cause: view.cause,
      host: view.host, limit: config.limit }))
  ]).then(function (res) {
    // A newer refresh (the analyst changed the view meanwhile) wins; this answer is dropped.
    if (seq !== live.seq) return;
    renderRate(res[0]); renderServers(res[1]); renderTickets(res[2].tickets); renderFailures(res[3]);
    renderTotals(res[0], res[2].tickets);
    $('live-status').textContent = 'Live \u00b7 updated ' + utcClock(new Date());
    document.body.setAttribute('data-ready', 'true');
    document.body.setAttribute('data-seq', String(seq));
  }).catch(function (e) {
    if (seq === live.seq) $('live-status').textContent = 'Live \u00b7 could not refresh (' + e.message + ')';
  });
}
function change(patch) {
  for (var k in patch) view[k] = patch[k];
  saveView();
  return refresh();
}

function renderPicker(r) {
  var buttons = $('ranges').querySelectorAll('button');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].setAttribute('aria-pressed', String(buttons[i].getAttribute('data-range') === view.range));
  }
  $('custom').hidden = view.range !== 'custom';
  // The custom fields show the range in force (after a reload from the URL too), unless the analyst is typing.
  if (view.range === 'custom' && !$('custom').contains(document.activeElement)) {
    $('from').value = utcMinute(view.from);
    $('to').value = utcMinute(view.to);
  }
  $('range-text').textContent = utcMinute(r.from) + ' \u2013 ' + utcMinute(r.to) + ' UTC';
}

function renderChips() {
  var host = clear($('chips')), items = [];
  if (view.bucket) items.push(['bucket', 'Bucket ' + utcMinute(Date.parse(view.bucket)) + ' UTC']);
  if (view.stage) items.push(['stage', 'Stage: ' + stageName(view.stage)]);
  if (view.cause) items.push(['cause', 'Root cause: ' + view.cause]);
  if (view.host) items.push(['host', 'Server: ' + view.host]);
  items.forEach(function (c) {
    var patch = {}; patch[c[0]] = null;
    host.appendChild(h('li', null, h('button', { type: 'button', className: 'chip', 'data-filter': c[0],
      'aria-label': 'Remove filter ' + c[1], onclick: function () { change(patch); } }, c[1] + ' \u00d7')));
  });
  if (items.length > 1) host.appendChild(h('li', null, h('button', { type: 'button', className: 'chip',
    onclick: function () { change({ bucket: null, stage: null, cause: null, host: null }); } }, 'Clear all')));
}

/** Failure rate per bucket, stacked by the stage that failed; a click on a bar (or one stage of it) filters the list. */
function renderRate(series) {
  var host = clear($('rate')), b = series.buckets;
  var W = 960, H = 230, L = 64, B = 40, T = 10, plot = H - B - T, n = b.length, bw = (W - L - 8) / Math.max(n, 1);
  var max = 0;
  b.forEach(function (x) { if (x.attempts) max = Math.max(max, x.failures / x.attempts); });
  var top = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1].filter(function (t) { return t >= max; })[0] || 1;
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'group', 'aria-label': 'Failure rate per ' +
    stepText(series.stepMs) + ' bucket by failed stage, ' + utcMinute(Date.parse(series.from)) + ' to ' +
    utcMinute(Date.parse(series.to)) + ' UTC' });
  root.setAttribute('class', 'chart');
  [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
    var y = T + plot - f * plot;
    root.appendChild(svg('line', { x1: L, y1: y, x2: W, y2: y, stroke: f === 0 ? '#52525b' : '#e4e4e7' }));
    var t = svg('text', { x: L - 6, y: y + 4, 'font-size': 12, fill: '#3f3f46', 'text-anchor': 'end' });
    t.textContent = pct(f * top); root.appendChild(t);
  });
  var yTitle = svg('text', { x: 12, y: T + plot / 2, 'font-size': 12, fill: '#3f3f46', 'text-anchor': 'middle',
    transform: 'rotate(-90 12 ' + (T + plot / 2) + ')' });
  yTitle.textContent = 'failed / attempts'; root.appendChild(yTitle);
  var every = Math.max(1, Math.ceil(n / 8)), sameDay = Date.parse(series.to) - Date.parse(series.from) <= 86400000;
  b.forEach(function (x, i) {
    var start = Date.parse(x.start), px = L + i * bw, selected = view.bucket === x.start;
    var g = svg('g', { 'data-bucket': x.start, class: 'bucket' + (selected ? ' selected' : '') });
    var tip = svg('title', {});
    tip.textContent = utcMinute(start) + ' UTC, ' + stepText(series.stepMs) + ': ' + count(x.attempts) + ' attempts, ' +
      count(x.failures) + ' failed (' + pct(x.attempts ? x.failures / x.attempts : null) + ')' +
      STAGE_ORDER.filter(function (s) { return x.byStage[s]; }).map(function (s) { return '; ' + stageName(s) + ' ' + x.byStage[s]; }).join('');
    g.appendChild(tip);
    var hit = svg('rect', { x: px, y: T, width: bw, height: plot, class: 'hit', tabindex: 0, role: 'button',
      'aria-label': tip.textContent + '. Show these failures' });
    hit.addEventListener('click', function () { change({ bucket: selected ? null : x.start, step: series.stepMs, stage: null }); });
    hit.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); hit.dispatchEvent(new Event('click')); } });
    g.appendChild(hit);
    var y = T + plot;
    STAGE_ORDER.forEach(function (s) {
      var v = x.byStage[s]; if (!v || !x.attempts) return;
      var bh = Math.max(1, plot * (v / x.attempts) / top); y -= bh;
      var seg = svg('rect', { x: px + bw * 0.12, y: y, width: Math.max(1, bw * 0.76), height: bh, fill: STAGE_COLOURS[s],
        'data-stage': s, class: 'seg' + (selected && view.stage === s ? ' on' : '') });
      seg.addEventListener('click', function (e) { e.stopPropagation(); change({ bucket: x.start, step: series.stepMs, stage: s }); });
      g.appendChild(seg);
    });
    root.appendChild(g);
    if (i % every === 0) {
      var label = svg('text', { x: px + bw / 2, y: H - B + 16, 'font-size': 12, fill: '#3f3f46', 'text-anchor': 'middle' });
      label.textContent = sameDay ? new Date(start).toISOString().slice(11, 16) : new Date(start).toISOString().slice(5, 16).replace('T', ' ');
      root.appendChild(label);
      root.appendChild(svg('line', { x1: px + bw / 2, y1: T + plot, x2: px + bw / 2, y2: T + plot + 4, stroke: '#52525b' }));
    }
  });
  var xTitle = svg('text', { x: L + (W - L) / 2, y: H - 4, 'font-size': 12, fill: '#3f3f46', 'text-anchor': 'middle' });
  xTitle.textContent = 'bucket start (UTC), ' + stepText(series.stepMs) + ' per bar';
  root.appendChild(xTitle);
  host.appendChild(root);
  var legend = h('ul', { className: 'legend' });
  STAGE_ORDER.forEach(function (s) {
    legend.appendChild(h('li', null, h('span', { className: 'swatch', style: 'background:' + STAGE_COLOURS[s] }), stageName(s)));
  });
  host.appendChild(legend);
}

/** The wall screen's big numbers: user attempts and failures in the range, and open tickets. */
function renderTotals(series, tickets) {
  var attempts = 0, failures = 0;
  series.buckets.forEach(function (b) { attempts += b.attempts; failures += b.failures; });
  var host = clear($('totals'));
  [['Attempts', count(attempts), null], ['Failed', count(failures), failures ? 'bad' : null],
   ['Failure rate', pct(attempts ? failures / attempts : null), failures ? 'bad' : null],
   ['Open tickets', count(tickets.length), tickets.length ? 'bad' : null]].forEach(function (c) {
    host.appendChild(h('li', { className: 'card' + (c[2] ? ' ' + c[2] : ''), 'data-total': c[0] }, h('b', { text: c[1] }), c[0]));
  });
}

function renderServers(health) {
  var host = clear($('servers'));
  ['gateway', 'radius', 'ca'].forEach(function (role) {
    var col = h('div', { className: 'tiles', 'data-role': role }, h('h3', { text: ROLE_TITLES[role] }));
    if (health[role].length === 0) col.appendChild(h('p', { className: 'empty', text: 'No attempts in the range.' }));
    health[role].forEach(function (s) {
      var on = view.host === s.host;
      col.appendChild(h('button', { type: 'button', className: 'tile' + (s.failureRate >= 0.05 ? ' bad' : '') + (on ? ' on' : ''),
        'data-host': s.host, 'aria-pressed': String(on), onclick: function () { change({ host: on ? null : s.host }); } },
        h('span', { className: 'tile-host', text: s.host }),
        h('span', { className: 'tile-figs' }, h('span', null, h('b', { text: count(s.attempts) }), ' attempts'),
          h('span', { className: 'tile-fail' }, h('b', { text: pct(s.failureRate) }), ' failed'),
          h('span', null, h('b', { text: s.p90Ms === null ? 'n/a' : duration(s.p90Ms) }), ' p90'))));
    });
    host.appendChild(col);
  });
}

function renderTickets(tickets) {
  live.tickets = tickets;
  var body = clear($('ticket-rows')), now = Date.now();
  $('tickets-status').textContent = tickets.length === 0 ? 'No open ticket.' : count(tickets.length) + ' open';
  tickets.forEach(function (t) {
    body.appendChild(h('tr', { 'data-ticket': t.key },
      h('td', null, h('button', { type: 'button', className: 'open', onclick: function () { openTicket(t.key); } }, t.title),
        h('div', { className: 'mono', text: t.code })),
      h('td', { className: 'mono', text: t.scope.label }),
      h('td', { text: count(t.attemptCount) + ' attempts, ' + count(t.affectedUsers.count) + (t.affectedUsers.capped ? '+' : '') + ' users' }),
      h('td', { title: 'first seen ' + iso(Date.parse(t.firstSeen)), text: ago(now - Date.parse(t.firstSeen)) }),
      h('td', { className: 'mono', text: iso(Date.parse(t.lastSeen)) })));
  });
}

/** The ticket's failures: its cause at its scope's server, over the time it has been seen. */
function ticketFilter(t) {
  var server = ['ca', 'radius', 'gateway'].indexOf(t.scope.kind) >= 0 ? t.scope.target : null;
  var cause = t.kind === 'user_error_burst' ? t.code.replace(/_burst$/, '') : t.code;
  return { range: 'custom', from: Date.parse(t.firstSeen), to: Date.parse(t.lastSeen) + 60000, bucket: null,
    stage: null, cause: cause, host: server };
}

function openTicket(key) {
  var t = live.tickets.filter(function (x) { return x.key === key; })[0], dialog = $('ticket');
  if (!t) return;
  clear($('ticket-title')).textContent = t.title;
  var body = clear($('ticket-body')), dl = h('dl', { className: 'facts' });
  [['Ticket', t.key], ['Root cause', t.code], ['Kind', t.kind === 'user_error_burst' ? 'burst of user errors' : 'root cause'],
   ['Scope', t.scope.label], ['Status', t.status + ', revision ' + t.revision],
   ['Size', count(t.attemptCount) + ' attempts, ' + count(t.affectedUsers.count) + ' users'],
   ['First seen', iso(Date.parse(t.firstSeen)) + ' (' + ago(Date.now() - Date.parse(t.firstSeen)) + ' ago)'],
   ['Last seen', iso(Date.parse(t.lastSeen))], ['Users', t.affectedUsers.sample.join(', ')]]
    // Causes that attempts without a deciding log (no IIS log read, say) could not be told from.
    .concat(t.alsoPossible && t.alsoPossible.length ? [['Also possible', t.alsoPossible.map(function (p) {
      return p.code + ' (' + count(p.attempts) + ' of ' + count(t.attemptCount) + ' attempts)';
    }).join(', ')]] : []).forEach(function (r) {
    dl.appendChild(h('dt', { text: r[0] })); dl.appendChild(h('dd', { text: r[1] }));
  });
  body.appendChild(dl);
  body.appendChild(h('p', { className: 'remediation' }, h('b', { text: 'Remediation: ' }), t.remediation));
  if (t.sampleTraceIds.length) {
    body.appendChild(h('h3', { text: 'First traces' }));
    body.appendChild(h('ul', { className: 'mono' }, t.sampleTraceIds.map(function (id) {
      var href = traceHref(id);
      return h('li', null, href ? h('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: id + ' \u2197' }) : id);
    })));
  }
  body.appendChild(h('button', { type: 'button', id: 'ticket-failures', onclick: function () {
    dialog.close(); change(ticketFilter(t)).then(function () { $('failures-h').scrollIntoView(); });
  } }, 'Show its failures'));
  dialog.setAttribute('data-ticket', t.key);
  if (!dialog.open) dialog.showModal();
  $('ticket-close').focus();
}

function renderFailures(res) {
  var focusedRow = document.activeElement && document.activeElement.closest ? document.activeElement.closest('#rows tr') : null;
  state.data = res.data; state.S = res.data.strings;
  var body = clear($('rows'));
  res.data.attempts.forEach(function (a, i) {
    var href = traceHref(a[1]), hosts = a[12];
    body.appendChild(h('tr', { 'data-attempt': a[0] },
      h('td', { 'data-label': 'User' }, h('button', { type: 'button', className: 'open', 'aria-label': 'Open attempt of ' +
        state.S[a[2]] + ' at ' + iso(a[3]), onclick: function () { openAttempt(i); } }, state.S[a[2]])),
      h('td', { 'data-label': 'Start', className: 'mono', text: iso(a[3]) }),
      h('td', { 'data-label': 'Failed stage', text: stageName(str(a[6])) }),
      h('td', { 'data-label': 'Root cause', className: 'mono', text: str(a[7]) || '' }),
      h('td', { 'data-label': 'DA server', className: 'mono', text: str(hosts[1]) || '' }),
      h('td', { 'data-label': 'NPS', className: 'mono', text: str(hosts[2]) || '' }),
      h('td', { 'data-label': 'CA', className: 'mono', text: str(hosts[3]) || '' }),
      h('td', { 'data-label': 'Trace', className: 'mono' }, href ? h('a', { href: href, target: '_blank',
        rel: 'noopener noreferrer', text: a[1].slice(0, 12) + '\u2026', 'aria-label': 'Trace ' + a[1] + ' in the trace viewer' })
        : h('span', { title: a[1], text: a[1].slice(0, 12) + '\u2026' }))));
  });
  var shown = res.data.attempts.length;
  $('failures-status').textContent = res.total === 0 ? 'No failure matches.' :
    'Latest ' + count(shown) + ' of ' + count(res.total) + ' failure' + (res.total === 1 ? '' : 's');
  if (focusedRow) focusRow(focusedRow.getAttribute('data-attempt'));
}

function wireDashboard() {
  var buttons = $('ranges').querySelectorAll('button');
  for (var i = 0; i < buttons.length; i++) buttons[i].addEventListener('click', function (e) {
    var range = e.currentTarget.getAttribute('data-range');
    if (range === 'custom') {
      var r = rangeNow();
      $('from').value = utcMinute(r.from);
      $('to').value = utcMinute(r.to);
      $('custom').hidden = false; $('from').focus();
      return;
    }
    change({ range: range, bucket: null });
  });
  $('custom').addEventListener('submit', function (e) {
    e.preventDefault();
    // Typed as UTC, like every time the page shows (a browser's date picker would show local 12-hour time).
    var from = utcInput($('from').value), to = utcInput($('to').value);
    if (!(from < to)) { $('custom-error').textContent = 'The start must be before the end.'; return; }
    $('custom-error').textContent = '';
    change({ range: 'custom', from: from, to: to, bucket: null });
  });
  var dialog = $('ticket');
  $('ticket-close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('click', function (e) { if (e.target === dialog) dialog.close(); });
}

wireDetail(); wireDashboard(); loadView(); refresh();
setInterval(refresh, config.refreshSeconds * 1000);
`;
