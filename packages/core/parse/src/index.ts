/** @otptrace/parse: ① raw EVTX-XML bytes -> events cut out of the stream -> ParsedEvent. Knows no source. */

export type { InputFormat } from './detect.js';
export { detectFormat, isRecognisedLog, RECOGNISE_HEAD_BYTES } from './detect.js';
export type { EncodingGuess, TextEncoding } from './encoding.js';
export { decodeEventBytes, detectEncoding } from './encoding.js';
export { decodeEntities } from './entities.js';
export type { JsonPiece } from './json-documents.js';
export { opensPrettyJson, PrettyJsonDocuments } from './json-documents.js';
export type { LineRejection, TextLine } from './lines.js';
export { decodeLine, LineSplitter } from './lines.js';
export { detach } from './names.js';
export type { NpsLogFormat, NpsLogLine, NpsLogRecord } from './nps-log.js';
export { npsRecordFormat, readDtsRecord, readIasLine, readOdbcLine } from './nps-log.js';
export type { EventHeader } from './peek.js';
export { peekHeader, peekHeaderBytes } from './peek.js';
export { scanEvent } from './scanner.js';
export type { EventChunk, SplitItem, SplitRejection } from './splitter.js';
export { EventSplitter } from './splitter.js';
export type { W3cHeader, W3cLine } from './w3c.js';
export { W3cReader, w3cField, w3cHeader, w3cServerFromPath } from './w3c.js';
export { readWinlogbeatDocument, readWinlogbeatLine } from './winlogbeat.js';
export { findForbiddenCharacter, forbiddenCharacterReason, isXmlChar } from './xml-chars.js';
