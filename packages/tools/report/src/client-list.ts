/**
 * Browser script, part 2: the attempt list. Filtering scans a precomputed lower-case key per attempt (user, trace
 * ID, attempt ID, address, hosts) and only one page of rows is in the DOM, so 50,000 attempts stay responsive.
 */
export const CLIENT_LIST = String.raw`
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
  applyFilters(false);
  $('attempts-h').scrollIntoView();
  $('list-status').focus();
}

function applyFilters(keepPage) {
  var q = $('q').value.trim().toLowerCase(), S = state.S;
  var want = [[5, $('f-outcome').value], [6, $('f-stage').value], [7, $('f-cause').value]].filter(function (w) {
    return w[1] !== '';
  }).map(function (w) { return [w[0], S.indexOf(w[1])]; });
  var out = [], attempts = state.data.attempts, keys = state.keys;
  for (var i = 0; i < attempts.length; i++) {
    var a = attempts[i], ok = true;
    for (var j = 0; j < want.length; j++) if (a[want[j][0]] !== want[j][1]) { ok = false; break; }
    if (ok && (q === '' || keys[i].indexOf(q) >= 0)) out.push(i);
  }
  state.filtered = out;
  if (!keepPage) state.page = 0;
  state.page = Math.min(state.page, Math.max(0, Math.ceil(out.length / state.pageSize) - 1));
  renderList();
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
}

function listRow(i) {
  var a = state.data.attempts[i], href = traceHref(a[1]);
  var open = h('button', { type: 'button', className: 'open', 'data-index': i,
    'aria-label': 'Open attempt of ' + state.S[a[2]] + ' at ' + iso(a[3]), onclick: function () { openAttempt(i); } },
    state.S[a[2]]);
  return h('tr', { 'data-attempt': a[0] },
    h('td', { 'data-label': 'User' }, open),
    h('td', { 'data-label': 'Start', className: 'mono', text: iso(a[3]) }),
    h('td', { 'data-label': 'Outcome' }, badge(str(a[5]))),
    h('td', { 'data-label': 'Failed stage', text: stageName(str(a[6])) }),
    h('td', { 'data-label': 'Root cause', className: 'mono', text: str(a[7]) || '' }),
    h('td', { 'data-label': 'Duration', text: duration(a[4] - a[3]) }),
    h('td', { 'data-label': 'Trace', className: 'mono' }, href ? h('a', { href: href, target: '_blank',
      rel: 'noopener noreferrer', text: a[1].slice(0, 12) + '\u2026', 'aria-label': 'Trace ' + a[1] + ' in the trace viewer' })
      : h('span', { title: a[1], text: a[1].slice(0, 12) + '\u2026' })));
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
  ['f-outcome', 'f-stage', 'f-cause'].forEach(function (id) {
    $(id).addEventListener('change', function () { applyFilters(false); });
  });
  $('filters').addEventListener('submit', function (e) { e.preventDefault(); applyFilters(false); });
  $('reset').addEventListener('click', function () { setTimeout(function () { applyFilters(false); }, 0); });
  $('prev').addEventListener('click', function () { state.page--; renderList(); });
  $('next').addEventListener('click', function () { state.page++; renderList(); });
  $('rows').addEventListener('keydown', listKeys);
}
`;
