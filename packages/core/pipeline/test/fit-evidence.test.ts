import { type AttemptRecord, attemptRecordSchema, type Evidence } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { fitEvidence } from '../src/index.js';

const entry = (i: number, summary = `client 10018 error 0x80070005 attempt ${i}`): Evidence => ({
  source: 'client',
  eventId: 10018,
  computer: 'pc-0042.corp.example.com',
  recordId: 1000 + i,
  time: `2026-11-30T08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
  provider: 'Microsoft-Windows-OtpCredentialProvider',
  channel: 'Microsoft-Windows-OtpCredentialProvider/Operational',
  summary,
});

const recordWith = (evidence: Evidence[]): AttemptRecord => ({
  id: '0123456789abcdef01234567',
  traceId: '0123456789abcdef0123456789abcdef',
  user: 'alice@corp.example.com',
  start: '2026-11-30T08:00:00.000Z',
  end: '2026-11-30T08:12:00.000Z',
  outcome: 'failure',
  failedStage: 'ca',
  rootCause: { code: 'ca_denied', title: 'The CA denied the request', remediation: 'Check the template.' },
  detail: {
    npsReasonCode: null,
    npsReason: null,
    caHresult: '0x80094012',
    caHresultSymbol: 'CERTSRV_E_TEMPLATE_DENIED',
    clientEventId: 10018,
    clientErrorCode: '0x80070005',
    httpStatus: 200,
  },
  evidence,
  hosts: { client: 'pc-0042', gateway: 'da01', radius: 'nps01', ca: 'ca01' },
  clientAddress: '203.0.113.7',
  gatewayAmbiguous: false,
  findings: ['certificate_not_usable_for_logon'],
  closedBy: 'timeout',
});

const bytes = (r: AttemptRecord): number => Buffer.byteLength(JSON.stringify(r));
const many = (n: number, summary?: (i: number) => string): Evidence[] =>
  Array.from({ length: n }, (_, i) => entry(i, summary?.(i)));

describe('fitEvidence', () => {
  it('returns the record itself when its JSON fits, to the byte', () => {
    const record = recordWith(many(20));
    const size = bytes(record);
    expect(fitEvidence(record, size)).toBe(record);
    expect(fitEvidence(record, 1_048_460)).toBe(record);
    expect(JSON.stringify(fitEvidence(record, size))).toBe(JSON.stringify(record));
  });

  it('cuts the middle of the evidence to fit, keeps the first and last entries and counts the rest', () => {
    const evidence = many(5000);
    const record = recordWith(evidence);
    const budget = 8 * 1024;
    const fitted = fitEvidence(record, budget) as AttemptRecord;
    expect(bytes(record)).toBeGreaterThan(budget);
    expect(bytes(fitted)).toBeLessThanOrEqual(budget);
    const kept = fitted.evidence.length;
    expect(kept).toBeGreaterThan(10);
    // The first half (rounded up) from the front, the rest from the back, in their order.
    const head = Math.ceil(kept / 2);
    expect(fitted.evidence).toEqual([...evidence.slice(0, head), ...evidence.slice(evidence.length - (kept - head))]);
    expect(fitted.evidence[0]).toBe(evidence[0]);
    expect(fitted.evidence.at(-1)).toBe(evidence.at(-1));
    expect(fitted.evidenceOmitted).toBe(evidence.length - kept);
    // As many as fit: one more entry would not.
    const oneMore = fitEvidence(record, budget + 1 + Buffer.byteLength(JSON.stringify(evidence[head])));
    expect(oneMore?.evidence.length).toBeGreaterThanOrEqual(kept);
    // Everything else is the same, and the result is a valid attempt record.
    const { evidence: _a, evidenceOmitted: _b, ...rest } = fitted;
    const { evidence: _c, ...original } = record;
    expect(rest).toEqual(original);
    expect(attemptRecordSchema.parse(JSON.parse(JSON.stringify(fitted)))).toEqual(fitted);
    // The input is left as it was.
    expect(record.evidence).toBe(evidence);
    expect(record.evidence).toHaveLength(5000);
    expect('evidenceOmitted' in record).toBe(false);
  });

  it('fits every budget from the smallest that holds the first entry upwards, counting UTF-8 bytes', () => {
    // Multi-byte text (2-, 3- and 4-byte characters) in the summaries: the budget is in bytes, not characters.
    const evidence = many(300, (i) => `Zertifikatsanforderung abgelehnt – Vorlage „VPN“ 証明書 🔒 ${i}`);
    const record = recordWith(evidence);
    const first = fitEvidence(record, 0);
    expect(first).toBeNull();
    let smallest = 0;
    for (let budget = 1000; budget < bytes(record); budget += 331) {
      const fitted = fitEvidence(record, budget);
      if (fitted === null) {
        expect(smallest).toBe(0);
        continue;
      }
      if (smallest === 0) smallest = budget;
      expect(bytes(fitted)).toBeLessThanOrEqual(budget);
      expect(fitted.evidence[0]).toBe(evidence[0]);
      expect((fitted.evidenceOmitted ?? 0) + fitted.evidence.length).toBe(evidence.length);
      // Tight: no room is left for the next entry and its comma, but for the digits the omitted count was reserved
      // (it is sized for all entries omitted before any is kept).
      const kept = fitted.evidence.length;
      const next = kept % 2 === 0 ? kept / 2 : evidence.length - (kept - 1) / 2 - 1;
      const reserved = String(evidence.length).length - String(fitted.evidenceOmitted).length;
      expect(bytes(fitted) + 1 + Buffer.byteLength(JSON.stringify(evidence[next]))).toBeGreaterThan(budget - reserved);
    }
    expect(smallest).toBeGreaterThan(0);
  });

  it('gives null when not even the first entry fits: the caller must skip the record, not retry it', () => {
    const record = recordWith(many(100));
    const withoutEvidence = bytes({ ...recordWith([]), evidenceOmitted: 100 });
    expect(fitEvidence(record, withoutEvidence)).toBeNull();
    expect(fitEvidence(record, 100)).toBeNull();
    expect(fitEvidence(recordWith([]), 10)).toBeNull();
  });
});
