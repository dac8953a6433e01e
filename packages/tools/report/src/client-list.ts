/**
 * Browser script of the report, part 2: the attempt list. Filtering scans a precomputed lower-case key per attempt
 * (user, trace ID, attempt ID, address, hosts) and only one page of rows is in the DOM, so 50,000 attempts stay
 * responsive. Filters: search, outcome, stage, cause, DA server, NPS, CA, a UTC time range (typed, or dragged on the
 * chart), probes (hidden unless asked for). Columns sort on a click; the filtered rows export as CSV.
 */
export const CLIENT_LIST = String.raw`
// The server filters match the names of the fleet tables (the compact attempt's servers, a[16]).
var HOSTS = [['f-gateway', 0], ['f-radius', 1], ['f-ca', 2]];
var SORTS = {
  user: function (a) { return state.S[a[2]].toLowerCase(); }, start: function (a) { return a[3]; },
  outcome: function (a) { return str(a[5]) || ''; }, stage: function (a) { return stageName(str(a[6])); },
  cause: function (a) { return str(a[7]) || ''; }, gateway: function (a) { return str(a[12][1]) || ''; },
  radius: function (a) { return str(a[12][2]) || ''; }, ca: function (a) { return str(a[12][3]) || ''; },
  duration: function (a) { return a[4] - a[3]; }
};
state.sort = { key: 'start', dir: 1 };

function indexAttempts() {
  var S = state.S;
  state.keys = state.data.attempts.map(function (a) {
    return [S[a[2]], a[1], a[0], str(a[13]) || '', a[12].map(str).join(' ')].join(' ').toLowerCase();
  });
  fillSelect($('f-outcome'), Object.keys(OUTCOMES).filter(function (o) { return present(5, o); }).map(function (o) {
    return [o, OUTCOMES[o][1]];
  }));
  fillSelect($('f-stage'), STAGE_ORDER.filter(function (s) { return present(6, s); }).map(function (s) {
    return [s, stageName(s)];
  }));
  fillSelect($('f-cause'), state.data.causes.map(function (c) { return [S[c[0]], S[c[0]]]; }).sort());
  HOSTS.forEach(function (f) {
    var seen = {};
    state.data.attempts.forEach(function (a) { if (a[16][f[1]] >= 0) seen[S[a[16][f[1]]]] = true; });
    fillSelect($(f[0]), Object.keys(seen).sort().map(function (n) { return [n, n]; }));
  });
}
function present(field, value) {
  var i = state.S.indexOf(value);
  return i >= 0 && state.data.attempts.some(function (a) { return a[field] === i; });
}
function fillSelect(select, options) {
  var keep = select.value;
  while (select.options.length > 1) select.remove(1);
  options.forEach(function (o) { select.appendChild(h('option', { value: o[0], text: o[1] })); });
  select.value = options.some(function (o) { return o[0] === keep; }) ? keep : '';
}
function setFilter(kind, value) {
  $('f-outcome').value = kind === 'stage' || kind === 'cause' ? 'failure' : $('f-outcome').value;
  $('f-' + kind).value = value;
  showList();
}
/** A name clicked in a fleet table: its server filter, a subnet's address prefix, a user's name as the search. */
function filterByName(role, name) {
  if (role === 'subnet') $('q').value = /\.0\/24$/.test(name) ? name.replace(/0\/24$/, '') : name.replace(/::\/64$/, ':');
  else if (role === 'user') $('q').value = name;
  else $('f-' + role).value = name;
  showList();
}
function showList() {
  applyFilters(false);
  $('attempts-h').scrollIntoView();
  $('list-status').focus();
}
function setTimeRange(from, to) {
  $('f-from').value = utcMinute(from);
  $('f-to').value = utcMinute(to);
  applyFilters(false);
}

function applyFilters(keepPage) {
  var q = $('q').value.trim().toLowerCase(), S = state.S;
  var want = [[5, $('f-outcome').value], [6, $('f-stage').value], [7, $('f-cause').value]].filter(function (w) {
    return w[1] !== '';
  }).map(function (w) { return [w[0], S.indexOf(w[1])]; });
  var hosts = HOSTS.filter(function (f) { return $(f[0]).value !== ''; }).map(function (f) { return [f[1], S.indexOf($(f[0]).value)]; });
  var from = utcInput($('f-from').value), to = utcInput($('f-to').value);
  // Probes are the DA server's health checks: hidden unless asked for (the box, or the Probe outcome).
  var probe = $('f-probes').checked || $('f-outcome').value === 'probe' ? -2 : S.indexOf('probe');
  var out = [], attempts = state.data.attempts, keys = state.keys;
  for (var i = 0; i < attempts.length; i++) {
    var a = attempts[i], ok = a[5] !== probe && !(a[3] < from) && !(a[3] >= to);
    for (var j = 0; ok && j < want.length; j++) if (a[want[j][0]] !== want[j][1]) ok = false;
    for (var k = 0; ok && k < hosts.length; k++) if (a[16][hosts[k][0]] !== hosts[k][1]) ok = false;
    if (ok && (q === '' || keys[i].indexOf(q) >= 0)) out.push(i);
  }
  state.filtered = sortRows(out);
  if (!keepPage) state.page = 0;
  state.page = Math.min(state.page, Math.max(0, Math.ceil(out.length / state.pageSize) - 1));
  renderList();
  if (typeof showBrush === 'function') showBrush();
}

function sortRows(rows) {
  var key = SORTS[state.sort.key], dir = state.sort.dir, attempts = state.data.attempts;
  var values = {};
  rows.forEach(function (i) { values[i] = key(attempts[i]); });
  return rows.sort(function (x, y) {
    var a = values[x], b = values[y];
    return (a < b ? -1 : a > b ? 1 : attempts[x][3] - attempts[y][3]) * dir;
  });
}
function sortBy(key) {
  state.sort = { key: key, dir: state.sort.key === key ? -state.sort.dir : 1 };
  var heads = document.querySelectorAll('table.attempts th[data-sort]');
  for (var i = 0; i < heads.length; i++) {
    var k = heads[i].getAttribute('data-sort');
    heads[i].setAttribute('aria-sort', k === key ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
  applyFilters(false);
}

function renderList() {
  var body = clear($('rows')), from = state.page * state.pageSize;
  var slice = state.filtered.slice(from, from + state.pageSize);
  slice.forEach(function (i) { body.appendChild(listRow(i)); });
  var total = state.data.attempts.length, n = state.filtered.length;
  $('list-status').textContent = n === 0 ? 'No attempt matches.' : 'Attempts ' + count(from + 1) + '\u2013' +
    count(from + slice.length) + ' of ' + count(n) + (n === total ? '' : ' (filtered from ' + count(total) + ')');
  $('prev').disabled = state.page === 0;
  $('next').disabled = from + state.pageSize >= n;
  $('csv').textContent = 'Export ' + count(n) + (n === 1 ? ' row' : ' rows') + ' as CSV';
  $('csv').disabled = n === 0;
}

function listRow(i) {
  var a = state.data.attempts[i], href = traceHref(a[1]), hosts = a[12];
  var open = h('button', { type: 'button', className: 'open', 'data-index': i,
    'aria-label': 'Open attempt of ' + state.S[a[2]] + ' at ' + iso(a[3]), onclick: function () { openAttempt(i); } },
    state.S[a[2]]);
  return h('tr', { 'data-attempt': a[0] },
    h('td', { 'data-label': 'User' }, open),
    h('td', { 'data-label': 'Start', className: 'mono', text: iso(a[3]) }),
    h('td', { 'data-label': 'Outcome' }, badge(str(a[5]))),
    h('td', { 'data-label': 'Failed stage', text: stageName(str(a[6])) }),
    h('td', { 'data-label': 'Root cause', className: 'mono', text: str(a[7]) || '' }),
    h('td', { 'data-label': 'DA server', className: 'mono', text: str(hosts[1]) || '' }),
    h('td', { 'data-label': 'NPS', className: 'mono', text: str(hosts[2]) || '' }),
    h('td', { 'data-label': 'CA', className: 'mono', text: str(hosts[3]) || '' }),
    h('td', { 'data-label': 'Duration', text: duration(a[4] - a[3]) }),
    h('td', { 'data-label': 'Trace', className: 'mono' }, href ? h('a', { href: href, target: '_blank',
      rel: 'noopener noreferrer', text: a[1].slice(0, 12) + '\u2026', 'aria-label': 'Trace ' + a[1] + ' in the trace viewer' })
      : h('span', { title: a[1], text: a[1].slice(0, 12) + '\u2026' })));
}

/**
 * One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first: a
 * user name from an attacker's log) gets a leading apostrophe.
 */
function csvCell(value) {
  var s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
function csvText() {
  var lines = [['attempt_id', 'trace_id', 'user', 'start', 'end', 'outcome', 'failed_stage', 'root_cause', 'error_code',
    'da_server', 'nps_server', 'ca', 'client_address', 'duration_ms'].join(',')];
  state.filtered.forEach(function (i) {
    var a = state.data.attempts[i];
    lines.push([a[0], a[1], state.S[a[2]], new Date(a[3]).toISOString(), new Date(a[4]).toISOString(), str(a[5]), str(a[6]),
      str(a[7]), str(a[8]), str(a[12][1]), str(a[12][2]), str(a[12][3]), str(a[13]), a[4] - a[3]].map(csvCell).join(','));
  });
  return lines.join('\r\n') + '\r\n';
}
function exportCsv() {
  var url = URL.createObjectURL(new Blob([csvText()], { type: 'text/csv;charset=utf-8' }));
  var link = h('a', { href: url, download: 'otptrace-attempts.csv' });
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
}

/** Up/Down move between the rows' open buttons; Enter or Space opens (a button's own keys). */
function listKeys(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  var buttons = Array.prototype.slice.call($('rows').querySelectorAll('button.open'));
  var at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  var next = buttons[at + (event.key === 'ArrowDown' ? 1 : -1)];
  if (next) { next.focus(); event.preventDefault(); }
}

function wireList() {
  var timer = null;
  $('q').addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { applyFilters(false); }, 60);
  });
  ['f-outcome', 'f-stage', 'f-cause', 'f-gateway', 'f-radius', 'f-ca', 'f-probes', 'f-from', 'f-to'].forEach(function (id) {
    $(id).addEventListener('change', function () { applyFilters(false); });
  });
  $('filters').addEventListener('submit', function (e) { e.preventDefault(); applyFilters(false); });
  $('reset').addEventListener('click', function () { setTimeout(function () { applyFilters(false); }, 0); });
  $('prev').addEventListener('click', function () { state.page--; renderList(); });
  $('next').addEventListener('click', function () { state.page++; renderList(); });
  $('rows').addEventListener('keydown', listKeys);
  $('csv').addEventListener('click', exportCsv);
  var heads = document.querySelectorAll('table.attempts th[data-sort] button');
  for (var i = 0; i < heads.length; i++) heads[i].addEventListener('click', function (e) {
    sortBy(e.currentTarget.parentNode.getAttribute('data-sort'));
  });
}
`;
