import { CLIENT_CORE } from './client-core.js';
import { CLIENT_DETAIL } from './client-detail.js';
import { CLIENT_FLEET } from './client-fleet.js';
import { CLIENT_LIST } from './client-list.js';
import { buildReportData, type ReportInput, type ReportOptions } from './data.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { REPORT_CSS } from './style.js';

/** What the page's script is told besides the data. */
interface PageConfig {
  readonly traceUrl: string | null;
}

/** Boot: read the config, wire the controls, then load the embedded data. */
const CLIENT_BOOT = String.raw`
function load(data) {
  var row = document.activeElement && document.activeElement.closest ? document.activeElement.closest('#rows tr') : null;
  state.data = data; state.S = data.strings;
  indexAttempts(); renderFleet(); applyFilters(true);
  if (row) focusRow(row.getAttribute('data-attempt'));
  var parts = [];
  if (data.generatedAt) parts.push('Generated ' + iso(Date.parse(data.generatedAt)));
  if (data.coverage.length) parts.push('sources: ' + data.coverage.join(', '));
  if (data.eventsRead !== null) parts.push(count(data.eventsRead) + ' events read');
  if (data.rejectedCount) parts.push(count(data.rejectedCount) + ' rejected');
  if (data.npsLogClocks && data.npsLogClocks.length) parts.push('NPS log times: ' + data.npsLogClocks.join(', '));
  if (data.daServers && data.daServers.length) parts.push('DA servers: ' + data.daServers.join(', '));
  $('meta').textContent = parts.join(' \u00b7 ');
  document.body.setAttribute('data-ready', 'true');
}
wireList(); wireDetail();
load(JSON.parse($('report-data').textContent));
`;

/** The attempt dialog the detail script fills (waterfall, failure, evidence). */
export const DETAIL_DIALOG = `<dialog id="detail" aria-labelledby="detail-title">
  <div class="dlg-head"><h2 id="detail-title"></h2><button type="button" id="close">Close (Esc)</button></div>
  <div class="dlg-body" id="detail-body"></div>
</dialog>`;

const SORTABLE = [
  ['user', 'User'],
  ['start', 'Start'],
  ['outcome', 'Outcome'],
  ['stage', 'Failed stage'],
  ['cause', 'Root cause'],
  ['gateway', 'DA server'],
  ['radius', 'NPS'],
  ['ca', 'CA'],
  ['duration', 'Duration'],
]
  .map(
    ([key, label]) =>
      `<th scope="col" data-sort="${key}" aria-sort="${key === 'start' ? 'ascending' : 'none'}"><button type="button" class="sort">${label}</button></th>`,
  )
  .join('');

const BODY = `
<header>
  <h1>__TITLE__</h1>
  <p class="meta" id="meta"></p>
</header>
<main>
  <section aria-labelledby="fleet-h">
    <h2 id="fleet-h">Fleet summary</h2>
    <p class="meta" id="period"></p>
    <ul class="cards" id="totals" aria-label="Attempts by outcome"></ul>
    <div class="grid">
      <div class="span-all"><h3>Outcomes over time</h3><p class="meta">Drag across the bars to list that time range.</p><div id="chart"></div></div>
      <div><h3>Failures by stage</h3><div id="by-stage"></div></div>
      <div><h3>Failures by root cause</h3><div id="by-cause"></div></div>
    </div>
  </section>
  <section aria-labelledby="tables-h">
    <h2 id="tables-h">Servers, subnets, latency, users</h2>
    <p class="meta">Over the whole analysis. A name lists its attempts.</p>
    <div class="grid tables" id="tables"></div>
  </section>
  <section aria-labelledby="attempts-h">
    <h2 id="attempts-h">Attempts</h2>
    <form class="filters" id="filters" role="search" aria-label="Filter attempts">
      <label>Search user, trace ID, address, host<input type="search" id="q" autocomplete="off"></label>
      <label>Outcome<select id="f-outcome"><option value="">any</option></select></label>
      <label>Failed stage<select id="f-stage"><option value="">any</option></select></label>
      <label>Root cause<select id="f-cause"><option value="">any</option></select></label>
      <label>DA server<select id="f-gateway"><option value="">any</option></select></label>
      <label>NPS server<select id="f-radius"><option value="">any</option></select></label>
      <label>CA<select id="f-ca"><option value="">any</option></select></label>
      <label>From (UTC)<input type="text" id="f-from" placeholder="YYYY-MM-DD HH:MM" autocomplete="off"></label>
      <label>To (UTC)<input type="text" id="f-to" placeholder="YYYY-MM-DD HH:MM" autocomplete="off"></label>
      <label class="check"><input type="checkbox" id="f-probes"> Show probes</label>
      <button type="reset" id="reset">Clear</button>
      <button type="button" id="csv">Export CSV</button>
    </form>
    <p id="list-status" tabindex="-1" aria-live="polite"></p>
    <div class="table-wrap"><table class="attempts">
      <thead><tr>${SORTABLE}<th scope="col">Trace</th></tr></thead>
      <tbody id="rows"></tbody>
    </table></div>
    <nav class="pager" aria-label="Pages of attempts">
      <button type="button" id="prev">\u2190 Previous</button><button type="button" id="next">Next \u2192</button>
    </nav>
  </section>
</main>
${DETAIL_DIALOG}`;

/** What makes one page: its body, the script parts after the shared helpers, its config and embedded data. */
export interface PageParts {
  readonly title: string;
  readonly body: string;
  readonly script: string;
  readonly config: unknown;
  readonly data: string | null;
  /** The dashboard may call back to its own server; the report needs no network at all. */
  readonly connectSelf: boolean;
  readonly css?: string;
}

/** The HTML of a page: inline CSS, config, data and script; a Content Security Policy allowing nothing else. */
export function htmlPage(parts: PageParts): string {
  const { title, config, data } = parts;
  const connect = parts.connectSelf ? "'self'" : "'none'";
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src ${connect}`;
  const script = `(function () {\n'use strict';\nvar config = JSON.parse(document.getElementById('report-config').textContent);\n${CLIENT_CORE}${CLIENT_DETAIL}${parts.script}})();`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}${parts.css ?? ''}</style></head><body>`,
    parts.body.replace('__TITLE__', escapeHtml(title)),
    data === null ? '' : `<script type="application/json" id="report-data">${data}</script>`,
    `<script type="application/json" id="report-config">${jsonForScript(config)}</script>`,
    `<script>${script}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** One self-contained HTML file (inline CSS, script and data; no network needed) showing an analysis. */
export function renderReport(input: ReportInput, options: ReportOptions = {}): string {
  const config: PageConfig = { traceUrl: options.traceUrlTemplate ?? null };
  return htmlPage({
    title: options.title ?? 'otptrace report',
    body: BODY,
    script: `${CLIENT_FLEET}${CLIENT_LIST}${CLIENT_BOOT}`,
    config,
    data: jsonForScript(buildReportData(input, options)),
    connectSelf: false,
  });
}
