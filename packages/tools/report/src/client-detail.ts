/**
 * Browser script, part 3: one attempt in a modal dialog (Escape closes it, focus returns to the row): the facts,
 * the failure (stage, error code, root cause, remediation), the waterfall of its stages on a time axis, and each
 * stage's raw evidence events behind one click.
 */
export const CLIENT_DETAIL = String.raw`
function openAttempt(i) {
  var a = state.data.attempts[i], dialog = $('detail');
  state.opener = a[0];
  clear($('detail-title')).appendChild(badge(str(a[5])));
  $('detail-title').appendChild(document.createTextNode(' ' + state.S[a[2]]));
  var body = clear($('detail-body'));
  if (str(a[5]) === 'failure' || str(a[5]) === 'incomplete') body.appendChild(failureBox(a));
  body.appendChild(h('h3', { id: 'wf-h', text: 'Waterfall' }));
  body.appendChild(waterfall(a));
  body.appendChild(h('h3', { text: 'Attempt' }));
  body.appendChild(facts(a));
  body.appendChild(allEvidence(a));
  dialog.setAttribute('data-attempt', a[0]);
  if (!dialog.open) dialog.showModal();
  $('close').focus();
}

function facts(a) {
  var href = traceHref(a[1]), hosts = a[12];
  var rows = [['Attempt ID', a[0], true], ['Trace ID', href ? h('a', { href: href, target: '_blank',
      rel: 'noopener noreferrer', text: a[1] + ' \u2197 open in trace viewer' }) : a[1], true],
    ['Start', iso(a[3]), true], ['Duration', duration(a[4] - a[3])],
    ['Client address', str(a[13])], ['Client', str(hosts[0])], ['DA server', str(hosts[1])],
    ['NPS server', str(hosts[2])], ['CA', str(hosts[3])], ['Closed by', str(a[14])],
    ['Note', a[15] ? 'An IIS request overlapped two users\u2019 attempts and was not attributed.' : null]];
  var dl = h('dl', { className: 'facts' });
  rows.forEach(function (r) {
    if (r[1] === null || r[1] === undefined) return;
    dl.appendChild(h('dt', { text: r[0] }));
    dl.appendChild(h('dd', { className: r[2] ? 'mono' : null }, r[1]));
  });
  return dl;
}

function failureBox(a) {
  var cause = state.data.causes.filter(function (c) { return c[0] === a[7]; })[0];
  var box = h('section', { className: 'failure', 'aria-labelledby': 'failure-h', id: 'failure' },
    h('h3', { id: 'failure-h' }, h('span', { 'aria-hidden': 'true', text: '\u2717 ' }),
      str(a[6]) ? 'Failed at stage: ' + stageName(str(a[6])) : 'Failed (stage unknown)'));
  var dl = h('dl', { className: 'facts' });
  if (str(a[8])) { dl.appendChild(h('dt', { text: 'Error code' })); dl.appendChild(h('dd', { className: 'mono', id: 'error-code', text: str(a[8]) })); }
  if (cause) {
    dl.appendChild(h('dt', { text: 'Root cause' }));
    dl.appendChild(h('dd', { id: 'root-cause' }, state.S[cause[1]] + ' ', h('span', { className: 'mono', text: '(' + state.S[cause[0]] + ')' })));
  }
  for (var k = 0; k < a[9].length; k += 2) {
    dl.appendChild(h('dt', { text: state.S[a[9][k]] }));
    dl.appendChild(h('dd', { className: 'mono', text: state.S[a[9][k + 1]] }));
  }
  box.appendChild(dl);
  if (cause) box.appendChild(h('p', { className: 'remediation', id: 'remediation' }, h('b', { text: 'Remediation: ' }), state.S[cause[2]]));
  return box;
}

function waterfall(a) {
  var t0 = a[3], span = Math.max(a[4] - a[3], 1), wrap = h('div', { className: 'wf' });
  var ticks = h('div', { className: 'wf-ticks', 'aria-hidden': 'true' });
  [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
    ticks.appendChild(h('span', { style: 'left:' + f * 100 + '%', text: '+' + duration(f * span) }));
  });
  wrap.appendChild(h('div', { className: 'wf-axis' }, h('span', { text: 'Stage (time from ' + iso(t0) + ')' }), ticks));
  var list = h('ol', { className: 'waterfall', 'aria-labelledby': 'wf-h' });
  a[10].forEach(function (b) {
    var stage = str(b[0]), failing = b[4] === 1, left = 100 * (b[2] - t0) / span;
    var width = 100 * (b[3] - b[2]) / span;
    var label = h('div', { className: 'wf-label' }, h('b', { text: stageName(stage) }), ' \u2014 ' + str(b[1]),
      str(b[5]) ? h('div', { className: 'mono', text: str(b[5]) }) : null,
      h('div', { className: 'when', text: '+' + duration(b[2] - t0) + ', ' + duration(b[3] - b[2]) }),
      failing ? h('div', { className: 'wf-fail' }, h('span', { 'aria-hidden': 'true', text: '\u2717 ' }),
        'Failed' + (str(a[8]) ? ': ' + str(a[8]) : '')) : null);
    var bar = h('div', { className: 'wf-bar' + (failing ? ' fail' : ''), title: stageName(stage) + ': ' +
      duration(b[3] - b[2]) + (failing ? ', failed' : ''), style: 'left:' + Math.min(left, 99.4).toFixed(2) +
      '%;width:' + Math.max(width, 0.6).toFixed(2) + '%' });
    var end = Math.min(left + Math.max(width, 0.6), 100);
    var tag = failing ? h('span', { className: 'wf-tag', 'aria-hidden': 'true', text: '\u2717 ' + (str(a[8]) || 'failed'),
      style: end > 60 ? 'right:' + (100 - Math.min(left, 99.4) + 0.8).toFixed(2) + '%' : 'left:' + (end + 0.8).toFixed(2) + '%' }) : null;
    list.appendChild(h('li', { 'data-stage': stage, 'data-failing': failing ? 'true' : 'false' }, label,
      h('div', { className: 'wf-track' }, bar, tag),
      h('details', null, h('summary', { text: b[6].length + ' evidence event' + (b[6].length === 1 ? '' : 's') +
        ' of ' + stageName(stage) }), evidenceTable(a, b[6]))));
  });
  wrap.appendChild(list);
  return wrap;
}

function allEvidence(a) {
  var all = a[11].map(function (_, k) { return k; });
  return h('details', { id: 'all-evidence' }, h('summary', { text: 'All ' + all.length + ' evidence events' }),
    evidenceTable(a, all));
}

function evidenceTable(a, indexes) {
  var head = ['Time', 'Source', 'Provider', 'Event ID', 'Computer', 'Channel', 'Record ID', 'Summary'];
  return h('div', { className: 'evidence-wrap' }, h('table', { className: 'evidence' },
    h('thead', null, h('tr', null, head.map(function (t) { return h('th', { scope: 'col', text: t }); }))),
    h('tbody', null, indexes.map(function (k) {
      var e = a[11][k];
      return h('tr', null, h('td', { className: 'mono', text: str(e[4]) }), h('td', { text: stageName(str(e[0])) }),
        h('td', { className: 'mono', text: str(e[5]) }), h('td', { text: e[1] }), h('td', { className: 'mono', text: str(e[2]) }),
        h('td', { className: 'mono', text: str(e[6]) }), h('td', { className: 'mono', text: e[3] }), h('td', { text: str(e[7]) }));
    }))));
}

function focusRow(attemptId) {
  var rows = $('rows').querySelectorAll('tr');
  for (var k = 0; k < rows.length; k++) {
    if (rows[k].getAttribute('data-attempt') === attemptId) { rows[k].querySelector('button.open').focus(); return; }
  }
}

function wireDetail() {
  var dialog = $('detail');
  $('close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () {
    // By attempt ID: a live refresh may have rebuilt the row while the dialog was open.
    if (state.opener) focusRow(state.opener);
  });
  dialog.addEventListener('click', function (e) { if (e.target === dialog) dialog.close(); });
}
`;
