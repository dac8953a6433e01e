import { CLIENT_DASHBOARD } from './client-dashboard.js';
import { DETAIL_DIALOG, htmlPage } from './page.js';

/** Settings of the operations dashboard page. */
export interface OpsDashboardOptions {
  readonly title?: string;
  /** Trace viewer link per attempt, `{traceId}` replaced. */
  readonly traceUrlTemplate?: string;
  /** Same-origin base of the panels' JSON: `<base>/rate`, `<base>/servers`, `<base>/failures`. */
  readonly apiBase: string;
  /** Same-origin URL of the open tickets (`{tickets: Ticket[]}`). */
  readonly ticketsUrl?: string;
  readonly refreshSeconds?: number;
  /** How many of the latest failures the list shows. */
  readonly failures?: number;
}

const BODY = `
<header class="ops">
  <h1>__TITLE__</h1>
  <div class="picker">
    <div role="group" aria-label="Time range" id="ranges">
      <button type="button" data-range="1h">Last 1 h</button><button type="button" data-range="24h">Last 24 h</button><button
        type="button" data-range="7d">Last 7 d</button><button type="button" data-range="custom">Custom\u2026</button>
    </div>
    <form id="custom" hidden aria-label="Custom time range (UTC)">
      <label>From (UTC)<input type="text" id="from" placeholder="YYYY-MM-DD HH:MM" required
        pattern="\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"></label>
      <label>To (UTC)<input type="text" id="to" placeholder="YYYY-MM-DD HH:MM" required
        pattern="\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"></label>
      <button type="submit" id="apply">Apply</button><span id="custom-error" role="alert"></span>
    </form>
    <p class="meta" id="range-text"></p>
  </div>
  <p class="meta status" id="live-status" aria-live="polite"></p>
</header>
<main class="ops">
  <ul class="cards panel-cards wide" id="totals" aria-label="In the range"></ul>
  <section aria-labelledby="rate-h" class="panel wide">
    <h2 id="rate-h">Failure rate over time, by failed stage</h2>
    <p class="meta">Click a bar to list its failures, or one colour of it for that stage only.</p>
    <div id="rate"></div>
  </section>
  <section aria-labelledby="servers-h" class="panel wide">
    <h2 id="servers-h">Server health</h2>
    <p class="meta">Fail % counts failures at the server's own stage; p90 is end to end for a DA server, the RADIUS
      decision for NPS, issuance for a CA. Click a server to list its failures.</p>
    <div id="servers" class="servers"></div>
  </section>
  <section aria-labelledby="tickets-h" class="panel">
    <h2 id="tickets-h">Open tickets</h2>
    <p class="meta" id="tickets-status"></p>
    <div class="table-wrap"><table class="tickets"><thead><tr><th scope="col">Root cause</th><th scope="col">Scope</th><th scope="col">Size</th>
      <th scope="col">Age</th><th scope="col">Last seen</th></tr></thead><tbody id="ticket-rows"></tbody></table></div>
  </section>
  <section aria-labelledby="failures-h" class="panel">
    <h2 id="failures-h">Latest failures</h2>
    <ul class="chips" id="chips" aria-label="Active filters"></ul>
    <p id="failures-status" aria-live="polite"></p>
    <div class="table-wrap"><table class="attempts">
      <thead><tr><th scope="col">User</th><th scope="col">Start</th><th scope="col">Failed stage</th>
        <th scope="col">Root cause</th><th scope="col">DA server</th><th scope="col">NPS</th><th scope="col">CA</th>
        <th scope="col">Trace</th></tr></thead>
      <tbody id="rows"></tbody>
    </table></div>
  </section>
</main>
<dialog id="ticket" aria-labelledby="ticket-title">
  <div class="dlg-head"><h2 id="ticket-title"></h2><button type="button" id="ticket-close">Close (Esc)</button></div>
  <div class="dlg-body" id="ticket-body"></div>
</dialog>
${DETAIL_DIALOG}`;

const CSS = `
header.ops { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; max-width: none; }
main.ops { max-width: none; display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1rem; }
.panel { background: var(--panel); border-radius: 6px; padding: 0.6rem 0.8rem; min-width: 0; }
.panel h2 { margin-top: 0; } .wide { grid-column: 1 / -1; }
.panel-cards .card b { font-size: 2rem; } .card.bad b { color: var(--fail); }
@media (max-width: 1100px) { main.ops { grid-template-columns: minmax(0, 1fr); } }
.picker { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; }
#ranges button[aria-pressed=true] { background: var(--fg); color: var(--bg); }
#custom { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; } #custom[hidden] { display: none; }
#custom label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
#custom input { font: inherit; padding: 0.25rem; width: 11rem; }
header.ops, .picker > * { min-width: 0; } #ranges { display: flex; flex-wrap: wrap; gap: 0.2rem; }
g.bucket rect.hit { fill: transparent; cursor: pointer; } g.bucket:hover rect.hit { fill: #e4e4e7; }
g.bucket.selected rect.hit { fill: #ddd6fe; } rect.seg { cursor: pointer; } rect.seg.on { stroke: #1b1b1f; stroke-width: 2; }
.servers { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(260px, 100%), 1fr)); gap: 0.8rem; }
.table-wrap { overflow-x: auto; }
.tiles { display: flex; flex-direction: column; gap: 0.4rem; }
.tile { display: flex; flex-direction: column; align-items: stretch; text-align: left; background: var(--bg);
  border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; padding: 0.4rem 0.6rem; }
.tile.bad { border-left-color: var(--fail); } .tile.on { outline: 3px solid var(--focus); }
.tile-host { font-weight: 600; overflow-wrap: anywhere; }
.tile-figs { display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; color: var(--muted); }
.tile-figs b { color: var(--fg); font-size: 1.1rem; } .tile.bad .tile-fail b { color: var(--fail); }
.chips { display: flex; flex-wrap: wrap; gap: 0.4rem; list-style: none; padding: 0; margin: 0.3rem 0; }
.chip { border-radius: 999px; background: var(--bg); font-size: 0.85rem; }
table.tickets td:first-child { max-width: 20rem; }
#rows button.open { white-space: nowrap; overflow-wrap: normal; }
`;

/**
 * The operations dashboard (stats-api `/`): time picker, failure rate per stage over time, server health, open
 * tickets, the latest failures with their waterfalls; each panel fetched from the API, refreshed live.
 */
export function renderOpsDashboardPage(options: OpsDashboardOptions): string {
  return htmlPage({
    title: options.title ?? 'otptrace operations',
    body: BODY,
    css: CSS,
    script: CLIENT_DASHBOARD,
    config: {
      traceUrl: options.traceUrlTemplate ?? null,
      apiBase: options.apiBase,
      ticketsUrl: options.ticketsUrl ?? '/api/tickets?status=open',
      refreshSeconds: options.refreshSeconds ?? 15,
      limit: options.failures ?? 100,
    },
    data: null,
    connectSelf: true,
  });
}
