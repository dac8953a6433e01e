/** @otptrace/model: shared types, Result, the contract's times, and the catalogues of root-cause codes and drop reasons. */

export { hresultSymbol, npsReasonText } from './codes.js';
export { contractTimeMs, parseContractTime } from './contract-time.js';
export type { DropBucket, DropReason } from './drop-reasons.js';
export { DROP_REASONS, dropBucket } from './drop-reasons.js';
export { computerNameOf } from './host-name.js';
export type { ParsedEvent } from './parsed-event.js';
export { parsedEventFields, SYSTEM_TEXT_ELEMENTS } from './parsed-event.js';
export type { Issue, Result } from './result.js';
export { fail, ok } from './result.js';
export type { FaultKind, RootCauseCode, RootCauseEntry } from './root-causes.js';
export { ROOT_CAUSES, rootCauseEntry } from './root-causes.js';
