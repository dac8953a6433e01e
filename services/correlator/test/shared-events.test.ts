import { readFileSync } from 'node:fs';
import { createNormalizeContext } from '@otptrace/normalize';
import { engineConfigOf, XmlIngestor } from '@otptrace/pipeline';
import { DEFAULT_ANALYSIS_CONFIG, type NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { PartitionState } from '../src/partition-state.js';

// test/scenarios/radius-directory-unavailable: an NPS 6273 (reason 5) and the NPS 4402 that explains it.
const dir = new URL('../../../test/scenarios/radius-directory-unavailable/', import.meta.url);
const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
const events: NormalizedEvent[] = [];
for (const f of ['nps.xml', 'client.xml', 'iis.xml']) {
  const ingestor = new XmlIngestor(ctx, { maxEventBytes: 1 << 20 });
  for (const item of [...ingestor.push(readFileSync(new URL(f, dir))), ...ingestor.end()])
    if (item.type === 'event') events.push(item.event);
}
const denial = events.find((e) => e.kind === 'radius.decision')!;
const dc = events.find((e) => e.kind === 'radius.directory_unavailable')!;

/** The same denial for another user, `ms` later, with its own record ID. */
function otherUser(ms: number): NormalizedEvent {
  const recordId = denial.ref.recordId + 1000;
  return {
    ...denial,
    id: `${denial.id}-other`,
    time: denial.time + ms,
    ref: { ...denial.ref, recordId },
    user: { ...denial.user!, key: 'other' },
  } as NormalizedEvent;
}

describe('offsets of an event shared by several attempts', () => {
  it('stay held until every attempt that includes it is emitted (an NPS 4402 behind two denials)', () => {
    const state = new PartitionState(engineConfigOf(DEFAULT_ANALYSIS_CONFIG, ctx, 'stream'));
    // Two users denied by one NPS server 150 s apart, and the 4402 between them: evidence for both attempts.
    state.take(0, denial);
    state.take(1, dc);
    state.take(2, otherUser(150_000));
    // A watermark 950 s after the first denial: past its attempt's close (its last event plus the engine's close
    // delay, about 721 s, plus the 180 s reorder buffer) but not past the other's, 150 s later.
    const watermark = denial.time + 950_000;
    const first = state.advance(otherUser(150_000).time - watermark);
    expect(first.attempts.map((a) => a.userKey)).toEqual([denial.user!.key]);
    expect(first.attempts[0]!.events.map((e) => e.kind)).toContain('radius.directory_unavailable');
    // The other attempt still needs the 4402 (offset 1): a restart must re-read it.
    expect(state.openAttempts).toBe(1);
    expect(state.commitOffset()).toBeLessThanOrEqual(1);
    const rest = state.flush();
    expect(rest.attempts.map((a) => a.userKey)).toEqual(['other']);
    expect(rest.attempts[0]!.events.map((e) => e.kind)).toContain('radius.directory_unavailable');
    expect(state.commitOffset()).toBe(3);
  });
});
