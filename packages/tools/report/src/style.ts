/**
 * The page's stylesheet. Colours: blue for success and red for failure (the pair most colour-blind readers can tell
 * apart), every outcome also carries an icon and a word, failing bars are striped; text contrast is at least 4.5:1.
 */
export const REPORT_CSS = `
:root { --fg: #1b1b1f; --muted: #52525b; --bg: #fff; --panel: #f4f4f6; --line: #d4d4d8; --ok: #1d4ed8;
  --fail: #b91c1c; --warn: #92400e; --other: #6b7280; --focus: #7c3aed; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
header, main { max-width: 1400px; margin: 0 auto; padding: 0.75rem 1rem; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 1.35rem; margin: 0; } h2 { font-size: 1.15rem; margin: 1rem 0 0.5rem; }
h3 { font-size: 0.95rem; margin: 0 0 0.4rem; color: var(--muted); }
.meta { color: var(--muted); margin: 0.2rem 0 0; font-size: 0.9rem; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.cards { display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; margin: 0; list-style: none; }
.card { background: var(--panel); border-radius: 6px; padding: 0.4rem 0.8rem; min-width: 7.5rem; }
.card b { display: block; font-size: 1.3rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; margin-top: 1rem; }
.grid > div { background: var(--panel); border-radius: 6px; padding: 0.6rem; min-width: 0; }
svg.chart { width: 100%; height: auto; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 0.8rem; font-size: 0.85rem; margin: 0.3rem 0 0; padding: 0;
  list-style: none; }
.swatch { display: inline-block; width: 0.9rem; height: 0.9rem; vertical-align: -0.1rem; margin-right: 0.3rem;
  border: 1px solid var(--fg); }
.hbars { list-style: none; margin: 0; padding: 0; }
.hbars li { margin: 0.15rem 0; }
.hbar { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.2rem 0.5rem; width: 100%; text-align: left;
  font: inherit; color: inherit; background: none; border: 1px solid transparent; border-radius: 4px;
  padding: 0.2rem; cursor: pointer; }
.hbar:hover { border-color: var(--line); background: var(--bg); }
.hbar .fill { grid-column: 1 / -1; height: 0.45rem; background: var(--fail); border-radius: 2px; min-width: 2px; }
.hbar .label { overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.5rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
form.filters input, form.filters select, button { font: inherit; color: var(--fg); padding: 0.3rem 0.45rem;
  border: 1px solid #71717a; border-radius: 4px; background: var(--bg); }
form.filters input[type=search] { min-width: 16rem; }
button { cursor: pointer; }
button:disabled { opacity: 0.5; cursor: default; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); }
td.mono, .mono { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: 0.85rem;
  overflow-wrap: anywhere; }
table.attempts tbody tr:hover { background: var(--panel); }
table.attempts td:first-child { max-width: 22rem; }
table.attempts td.mono { white-space: nowrap; overflow-wrap: normal; }
button.open { border: none; background: none; padding: 0; color: var(--ok); text-decoration: underline;
  text-align: left; overflow-wrap: anywhere; }
.badge { white-space: nowrap; font-weight: 600; }
.o-success { color: var(--ok); } .o-failure { color: var(--fail); } .o-incomplete { color: var(--warn); }
.o-cancelled, .o-probe { color: var(--other); }
.pager { display: flex; gap: 0.6rem; align-items: center; margin: 0.6rem 0; flex-wrap: wrap; }
dialog { width: min(1100px, 96vw); max-height: 94vh; padding: 0; border: 1px solid var(--line); border-radius: 8px; }
dialog::backdrop { background: rgb(0 0 0 / 0.45); }
.dlg-head { display: flex; justify-content: space-between; align-items: start; gap: 1rem; padding: 0.8rem 1rem;
  border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 1; }
.dlg-head h2 { margin: 0; overflow-wrap: anywhere; }
.dlg-body { padding: 0.5rem 1rem 1rem; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.15rem 1rem; margin: 0.5rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.failure { border: 2px solid var(--fail); border-left-width: 8px; border-radius: 6px; padding: 0.5rem 0.8rem;
  margin: 0.6rem 0; }
.failure h3 { color: var(--fail); font-size: 1rem; margin: 0 0 0.3rem; }
.remediation { background: var(--panel); padding: 0.4rem 0.6rem; border-radius: 4px; }
ol.waterfall { list-style: none; padding: 0; margin: 0.4rem 0; }
ol.waterfall > li { display: grid; grid-template-columns: minmax(12rem, 18rem) minmax(0, 1fr); gap: 0.2rem 0.8rem;
  padding: 0.35rem 0; border-bottom: 1px solid var(--line); }
.wf-label { overflow-wrap: anywhere; font-size: 0.9rem; }
.wf-label .when { color: var(--muted); font-size: 0.85rem; }
.wf-track { position: relative; height: 1.6rem; background: var(--panel); border-radius: 3px; align-self: center; }
.wf-bar { position: absolute; top: 0.2rem; height: 1.2rem; min-width: 4px; background: var(--ok); border-radius: 2px; }
.wf-bar.fail { background: repeating-linear-gradient(135deg, var(--fail) 0 6px, #7f1d1d 6px 10px); }
.wf-fail { color: var(--fail); font-weight: 700; }
.wf-tag { position: absolute; top: 0.2rem; font-size: 0.8rem; font-weight: 700; color: var(--fail); white-space: nowrap; }
.evidence td.mono { overflow-wrap: normal; white-space: nowrap; }
.evidence td:last-child { min-width: 18rem; }
.wf-axis { display: grid; grid-template-columns: minmax(12rem, 18rem) minmax(0, 1fr); gap: 0.8rem;
  font-size: 0.8rem; color: var(--muted); }
.wf-ticks { position: relative; height: 1.2rem; }
.wf-ticks span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.wf-ticks span:first-child { transform: none; } .wf-ticks span:last-child { transform: translateX(-100%); }
ol.waterfall details { grid-column: 1 / -1; }
summary { cursor: pointer; color: var(--ok); }
.evidence { font-size: 0.85rem; margin-top: 0.3rem; }
.evidence-wrap { overflow-x: auto; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.status { color: var(--muted); }
@media (max-width: 700px) {
  body { font-size: 14px; }
  form.filters input[type=search] { min-width: 0; width: 100%; }
  form.filters label { flex: 1 1 100%; }
  table.attempts thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.attempts tr { display: block; border-bottom: 2px solid var(--line); padding: 0.3rem 0; }
  table.attempts td { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); border: none; padding: 0.1rem 0.3rem; }
  table.attempts td:empty { display: none; }
  table.attempts td::before { content: attr(data-label); color: var(--muted); font-size: 0.85rem; }
  ol.waterfall > li, .wf-axis { grid-template-columns: minmax(0, 1fr); }
  .wf-tag { display: none; }
  .wf-axis > span:first-child { display: none; }
  dl.facts { grid-template-columns: minmax(0, 1fr); } dl.facts dd { margin-bottom: 0.3rem; }
}
th button.sort { border: none; background: none; padding: 0; font: inherit; color: inherit; font-weight: 600; }
th[aria-sort=ascending] button.sort::after { content: ' \\25B2'; } th[aria-sort=descending] button.sort::after { content: ' \\25BC'; }
button.link { border: none; background: none; padding: 0; color: var(--ok); text-decoration: underline; text-align: left;
  overflow-wrap: anywhere; }
.grid > .span-all { grid-column: 1 / -1; }
.grid.tables { grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); }
.fleet-table { overflow-x: auto; } .fleet-table table { font-size: 0.9rem; }
.fleet-table td, .fleet-table th { white-space: nowrap; } .fleet-table td:first-child { white-space: normal; min-width: 9rem; }
table.attempts td:first-child { min-width: 8rem; }
form.filters label.check { flex-direction: row; align-items: center; gap: 0.3rem; }
form.filters input[type=text] { width: 10.5rem; }
.table-wrap { overflow-x: auto; }
svg.brushable { cursor: crosshair; touch-action: none; user-select: none; }
`;
