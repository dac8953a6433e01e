import { readFileSync } from 'node:fs';
import { scanEvent } from '@otptrace/parse';
import { describe, expect, test } from 'vitest';
import { iterateEvtxRecords, parsedOrRejected, renderRecordXml } from '../src/index.js';
import { requireSamplesDir, SAMPLE_FILES } from './samples.js';

// The contract: a .evtx record read here gives the same ParsedEvent as the XML reader (@otptrace/parse) gives for
// that record's Event XML. Checked on every record of every sample by rendering the record and scanning the text.
describe('same ParsedEvent as the XML path', () => {
  for (const { file } of SAMPLE_FILES) {
    test(file, () => {
      let compared = 0;
      for (const record of iterateEvtxRecords(readFileSync(`${requireSamplesDir()}${file}`))) {
        if (record.kind !== 'record') continue;
        const binary = parsedOrRejected(record);
        const fromXml = scanEvent(renderRecordXml(record));
        expect(binary.kind).toBe('event');
        // A value with a character XML 1.0 forbids (security.evtx: a 4739 with U+0003) has no XML rendering.
        if (!fromXml.ok && fromXml.issue.code === 'forbidden_character') continue;
        expect(fromXml.ok).toBe(true);
        if (binary.kind === 'event' && fromXml.ok) expect(binary.event).toEqual(fromXml.value);
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
