import { describe, expect, it } from 'vitest';
import { prefilterIisBytes } from '../src/index.js';

// The ingestor asks about an event where it lies in the read buffer, bytes[start, end): the answer must be the one
// for the event's bytes alone, whatever lies around them (here the next event, whose method differs).
describe('prefilterIisBytes', () => {
  const event = (method: string, quote = '"') =>
    `<Event><System><EventID>6200</EventID></System><EventData><Data Name=${quote}date${quote}>2026-03-02</Data>` +
    `<Data Name=${quote}cs-method${quote}>${method}</Data><Data Name=${quote}sc-status${quote}>200</Data></EventData></Event>`;
  const events = [event('GET'), event('POST'), event('post', "'"), event('POSTX'), event(''), event('PUT')];

  it('drops what is not a POST, and keeps what it cannot read', () => {
    expect(events.map((e) => prefilterIisBytes(Buffer.from(e)))).toEqual([
      'gateway_other_request',
      null,
      null,
      'gateway_other_request',
      'gateway_other_request',
      'gateway_other_request',
    ]);
    expect(prefilterIisBytes(Buffer.from('<Event><EventData/></Event>'))).toBeNull();
  });

  it('reads only the event inside a larger buffer, also when the event is cut anywhere', () => {
    for (const [k, text] of events.entries()) {
      const next = Buffer.from(events[(k + 1) % events.length]!);
      const whole = Buffer.from(text);
      for (let cut = 0; cut <= whole.length; cut++) {
        const bytes = whole.subarray(0, cut);
        const outer = Buffer.concat([next, bytes, next]);
        expect(prefilterIisBytes(outer, next.length, next.length + cut), `${k} cut at ${cut}`).toBe(
          prefilterIisBytes(bytes),
        );
      }
    }
  });
});
