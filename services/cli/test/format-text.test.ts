import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePaths } from '@otptrace/files';
import { DEFAULT_ANALYSIS_CONFIG } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { formatText, TEXT_BATCH, textReport } from '../src/format-text.js';
import { main } from '../src/main.js';

/** A generated day of `users` users, analysed. */
async function analysedDay(users: number) {
  const dir = mkdtempSync(join(tmpdir(), 'otptrace-text-'));
  const io = { stdout: () => {}, stderr: () => {} };
  const args = ['--users', String(users), '--seed', '3', '--unrelated-ratio', '0', '--out', dir];
  expect(await main(['generate', ...args], io)).toBe(0);
  return analyzePaths([dir], DEFAULT_ANALYSIS_CONFIG, { jobs: 1 });
}

describe('the text report', { timeout: 60_000 }, () => {
  it('comes in pieces of at most TEXT_BATCH timelines, then the summary, and they make formatText', async () => {
    const result = await analysedDay(150);
    const timeline = result.attempts.filter((a) => a.record.outcome !== 'probe');
    expect(timeline.length).toBeGreaterThan(3 * TEXT_BATCH);
    const pieces = [...textReport(result)];
    expect(pieces).toHaveLength(Math.ceil(timeline.length / TEXT_BATCH) + 1);
    const headers = (piece: string) => piece.split('\n').filter((line) => /^#\d+ {2}/.test(line)).length;
    for (const piece of pieces.slice(0, -1)) expect(headers(piece)).toBeLessThanOrEqual(TEXT_BATCH);
    expect(headers(pieces.at(-1)!)).toBe(0);
    expect(pieces.at(-1)!.startsWith('Summary\n')).toBe(true);
    expect(pieces.join('')).toBe(formatText(result));
  });

  it('shows each timeline in order, one empty line after each, then the summary', async () => {
    const result = await analysedDay(60);
    const timeline = result.attempts.filter((a) => a.record.outcome !== 'probe');
    const blocks = formatText(result).split('\n\n');
    timeline.forEach((a, i) => {
      const r = a.record;
      const lines = blocks[i]!.split('\n');
      expect(lines[0]).toBe(
        `#${i + 1}  ${r.user}  ${r.outcome === 'failure' ? `FAILURE at ${r.failedStage}` : r.outcome.toUpperCase()}  ${r.start} → ${r.end}  trace ${r.traceId}`,
      );
      // The evidence comes last, one line per event, in the record's order.
      const evidenceLines = lines.slice(-r.evidence.length);
      r.evidence.forEach((e, k) => {
        expect(evidenceLines[k]).toMatch(/^ {4}\d\d:\d\d:\d\d\.\d{3} {2}/);
        expect(evidenceLines[k]!.endsWith(`[${e.computer} ${e.channel} #${e.recordId}]`)).toBe(true);
      });
    });
    expect(blocks[timeline.length]!.startsWith('Summary\n')).toBe(true);
    expect(formatText(result).endsWith('\n')).toBe(true);
  });

  it("says when an attempt's NPS times are on a clock apart from its DA server's", async () => {
    const result = await analysedDay(20);
    const first = result.attempts.find((a) => a.record.outcome !== 'probe')!;
    const clockLine = (text: string) =>
      text
        .split('\n\n')[0]!
        .split('\n')
        .find((l) => l.startsWith('    clock: '));
    expect(clockLine(formatText(result))).toBeUndefined();
    Object.assign(first, { record: { ...first.record, npsClockAheadMs: -30_400 } });
    expect(clockLine(formatText(result))).toBe(
      "    clock: NPS's clock 30.4 s behind the DA server's; the NPS times listed are as NPS logged them, the waterfall and the trace put them on the DA server's clock",
    );
  });
});
