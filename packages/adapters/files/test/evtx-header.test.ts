import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNormalizeContext } from '@otptrace/normalize';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../src/index.js';

const repo = new URL('../../../../', import.meta.url).pathname;
const sample = `${repo}test/fixtures/evtx-samples/sample-with-zero-data-size-event.evtx`;
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG, Date.parse('2030-01-01T00:00:00Z'));
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-evtx-header-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('an .evtx copy cut short', () => {
  it('within its file header: one rejection that says so, nothing else read', async () => {
    const path = join(scratch, 'cut.evtx');
    writeFileSync(path, readFileSync(sample).subarray(0, 100));
    const result = await ingestFile(path, ctx, DEFAULT_ANALYSIS_CONFIG.maxEventBytes);
    expect(result.events).toEqual([]);
    expect(result.rejected).toEqual([
      { code: 'truncated_event', reason: 'a truncated .evtx file: its header is 100 bytes of 128', position: 0 },
    ]);
  });
});
