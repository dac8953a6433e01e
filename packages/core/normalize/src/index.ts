/** @otptrace/normalize: ② parsed event -> normalised event, one mapper per source (client, iis, nps, adcs). */

export type { NpsLogClock, OffsetEvidence } from './clock.js';
export {
  clearClockChange,
  formatOffset,
  isUnsettledNpsLog,
  NPS_TWIN_MS,
  npsServerOf,
  offsetVote,
  ownOffset,
  settleNpsLogClocks,
  settleServerOffsets,
  settleTextLogs,
  TEXT_LOG_TWINS,
  userOffsets,
  userWindowMs,
  withLearnedOffset,
} from './clock.js';
export { displayUser, IdentityResolver } from './identity.js';
export { createNormalizeContext, normalizeEvent, withPlausibleTime } from './normalize.js';
export type { NormalizeContext, Normalized } from './outcome.js';
export { detach, hresultInText, toHresult } from './outcome.js';
export type { Classification } from './source-table.js';
export { classify, prefilterIisBytes } from './source-table.js';
export type { AnsweredRequest, NpsLogClockRule, NpsLogWhere } from './sources/nps-log.js';
export {
  ACCESS_ACCEPT,
  ACCESS_REJECT,
  ACCESS_REQUEST,
  NPS_LOG_PROVIDER,
  normalizeNpsLog,
  offsetOfLocalTime,
  parseNpsLogClock,
  parseUtcOffset,
} from './sources/nps-log.js';
export type { W3cWhere } from './sources/w3c.js';
export { normalizeW3c, W3C_EVENT_ID, W3C_PROVIDER } from './sources/w3c.js';
export { formatTime, parseIisTime, parseSystemTime } from './time.js';
