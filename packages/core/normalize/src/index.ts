/** @otptrace/normalize: ② parsed event -> normalised event, one mapper per source (client, iis, nps, adcs). */

export { displayUser, IdentityResolver } from './identity.js';
export { createNormalizeContext, normalizeEvent } from './normalize.js';
export type { NormalizeContext, Normalized } from './outcome.js';
export { hresultInText, toHresult } from './outcome.js';
export type { Classification } from './source-table.js';
export { classify, prefilterIisBytes } from './source-table.js';
export { formatTime, parseIisTime, parseSystemTime } from './time.js';
