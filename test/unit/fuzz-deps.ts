// What the fuzz harness (test/fuzz/harness.mjs) runs, from the TypeScript sources: one list for the unit fuzz tests.
// bench/fuzz.mjs passes the same names from the built packages.
import { isSharedEvent } from '@otptrace/correlate';
import { readEvtx } from '@otptrace/evtx';
import { DROP_REASONS } from '@otptrace/model';
import { normalizeParsed, OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { analysisConfigSchema } from '@otptrace/schemas';

export const fuzzDeps = {
  OfflineAnalysis,
  XmlIngestor,
  analysisConfigSchema,
  DROP_REASONS,
  readEvtx,
  normalizeParsed,
  isSharedEvent,
};
