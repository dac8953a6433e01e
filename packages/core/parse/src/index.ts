/** @otptrace/parse: ① raw EVTX-XML bytes -> events cut out of the stream -> ParsedEvent. Knows no source. */

export type { EncodingGuess, TextEncoding } from './encoding.js';
export { decodeEventBytes, detectEncoding } from './encoding.js';
export { decodeEntities } from './entities.js';
export { parseEventWithFxp } from './fxp.js';
export type { EventHeader } from './peek.js';
export { peekHeader, peekHeaderBytes } from './peek.js';
export { scanEvent } from './scanner.js';
export type { EventChunk, SplitItem, SplitRejection } from './splitter.js';
export { EventSplitter } from './splitter.js';
export { findForbiddenCharacter, forbiddenCharacterReason, isXmlChar } from './xml-chars.js';
