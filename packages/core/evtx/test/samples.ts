import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The public .evtx samples (the Rust `evtx` crate's test corpus, MIT: see ATTRIBUTION.md there). They live in the
 * repository under test/fixtures/evtx-samples, with their licence and attribution.
 */
export const SAMPLES_DIR = fileURLToPath(new URL('../../../../test/fixtures/evtx-samples/', import.meta.url));

/** Fails loudly (rather than skipping) when the samples are not where CI puts them. */
export function requireSamplesDir(): string {
  if (!existsSync(SAMPLES_DIR)) throw new Error(`the .evtx samples are missing: expected them at ${SAMPLES_DIR}`);
  return SAMPLES_DIR;
}

/**
 * The sample files, each with what is known of it. `libevtxReads: false` marks the one file no independent tool in
 * Debian can read (both stop at its first record; see README "Checked against libevtx").
 */
export const SAMPLE_FILES = [
  { file: 'Application_no_crc32.evtx', libevtxReads: true },
  { file: 'MSExchange_Management_wec.evtx', libevtxReads: false },
  { file: 'Security_short_selected.evtx', libevtxReads: true },
  { file: 'new-user-security.evtx', libevtxReads: true },
  { file: 'post-Security.evtx', libevtxReads: true },
  { file: 'sample-with-zero-data-size-event.evtx', libevtxReads: true },
  { file: 'sample_with_a_bad_chunk_magic.evtx', libevtxReads: true },
  { file: 'security.evtx', libevtxReads: true },
  { file: 'security_bad_string_cache.evtx', libevtxReads: true },
  { file: 'system.evtx', libevtxReads: true },
] as const;
