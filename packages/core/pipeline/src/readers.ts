/**
 * @otptrace/pipeline/readers: the readers alone (Event XML, IIS W3C and NPS log text → ingest items), without the
 * correlation, diagnosis and report the package index brings in. A worker thread that only reads loads this: a
 * worker starts with less module code to load and compile (the whole index takes about twice as long to load).
 */

export type { IngestedFile, IngestItem, IngestOptions } from './ingest.js';
export { emptyIngested, normalizeParsed, tallyItems, XmlIngestor } from './ingest.js';
export type { Ingestor } from './text-logs.js';
export { DETECT_BYTES, DetectingIngestor } from './text-logs.js';
