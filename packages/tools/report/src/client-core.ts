/**
 * Browser script, part 1: helpers shared by the report and the dashboard. Everything reaches the page through `textContent` and
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
function utcMinute(ms) { return new Date(ms).toISOString().slice(0, 16).replace('T', ' '); }
/** A UTC time typed as YYYY-MM-DD HH:MM (or with a T); NaN otherwise. */
function utcInput(text) {
  var m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$/.exec(text.trim());
  return m ? Date.parse(m[1] + 'T' + m[2] + ':00Z') : NaN;
}
`;
