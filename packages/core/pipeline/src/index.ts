/** @otptrace/pipeline: composes ① parse, ② normalize, ③ correlate, ④ diagnose, ⑤ record, for analyze and the services. */

export type { AnalysisResult, AnalyzedAttempt } from './analysis.js';
export { coverageOf, engineConfigOf, finishAttempt, OfflineAnalysis } from './analysis.js';
export type { IngestedFile, IngestItem, IngestOptions } from './ingest.js';
export { emptyIngested, ingestEventText, normalizeParsed, tallyItems, XmlIngestor } from './ingest.js';
export type { AnalysisInput, AnalyzeInputsOptions, IngestInputs, IngestProgress } from './inputs.js';
export { analyzeInputs, toJson } from './inputs.js';
export { evidenceOf, fitEvidence, toAttemptRecord, withFindings } from './record.js';
export type { Ingestor, StreamCarry, StreamCarryJson, TextLogSource } from './text-logs.js';
export {
  carryFromJson,
  carryToJson,
  DETECT_BYTES,
  DetectingIngestor,
  ingestorFor,
  NpsLogIngestor,
  W3cIngestor,
} from './text-logs.js';
