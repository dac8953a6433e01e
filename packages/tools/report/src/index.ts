/** @otptrace/report: the analysis as one self-contained HTML page, and the operations dashboard page (pure: data → HTML). */

export type { OpsDashboardOptions } from './dashboard-page.js';
export { renderOpsDashboardPage } from './dashboard-page.js';
export type {
  CompactAttempt,
  CompactBar,
  CompactEvidence,
  ReportAttempt,
  ReportData,
  ReportInput,
  ReportOptions,
} from './data.js';
export { buildReportData, detailLines, errorCodeOf } from './data.js';
export { escapeHtml, jsonForScript } from './escape.js';
export type { FleetBucket, FleetView } from './fleet.js';
export { fleetViewOf } from './fleet.js';
export { renderReport } from './page.js';
export { describeDaServer, describeNpsClock } from './summary-lines.js';
export type { StageBar } from './waterfall.js';
export { stageBars } from './waterfall.js';
