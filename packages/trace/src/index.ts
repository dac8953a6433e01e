/** @otptrace/trace: ⑤ attempt + verdict -> span data (no SDK), with deterministic IDs. */
export { traceIdFor, spanIdFor } from './ids.js';
