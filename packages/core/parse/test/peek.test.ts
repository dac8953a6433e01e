import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EventHeader, peekHeaderBytes } from '../src/index.js';
import { corpusEvents } from './corpus.js';

// peekHeaderBytes reads System with short hops and stops at </System> on the way; this reference reads the same
// fields the plain way (Buffer.indexOf inside a view that ends at </System>, else at 4096 bytes). They must agree on
// every input, including events cut short, System longer than 4096 bytes, and </System> or junk in odd places.
function reference(bytes: Buffer): EventHeader | null {
  const end = bytes.indexOf('</System>');
  const head = end > 0 ? bytes.subarray(0, end) : bytes.subarray(0, 4096);
  const blank = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
  const p = head.indexOf('<Provider');
  if (p < 0) return null;
  const gt = head.indexOf(0x3e, p);
  let n = head.indexOf('Name', p + 9);
  while (n >= 0 && n < gt && !blank(head[n - 1])) n = head.indexOf('Name', n + 1);
  if (n < 0 || n > gt) return null;
  let q = n + 4;
  while (blank(head[q])) q++;
  if (head[q] !== 0x3d) return null;
  q++;
  while (blank(head[q])) q++;
  const quote = head[q];
  if (quote !== 0x22 && quote !== 0x27) return null;
  const close = head.indexOf(quote, q + 1);
  if (close < 0 || close > gt) return null;
  const e = head.indexOf('<EventID', gt);
  if (e < 0) return null;
  let d = head.indexOf(0x3e, e) + 1;
  if (d <= 0) return null;
  while (blank(head[d])) d++;
  let eventId = 0;
  let digits = 0;
  for (let c = head[d]; c !== undefined && c >= 0x30 && c <= 0x39; c = head[++d]) {
    eventId = eventId * 10 + (c - 0x30);
    digits++;
  }
  if (digits === 0 || digits > 5) return null;
  while (blank(head[d])) d++;
  if (head[d] !== 0x3c) return null;
  const c = head.indexOf('<Channel>', e);
  const channelEnd = c < 0 ? -1 : head.indexOf(0x3c, c + 9);
  return {
    provider: head.toString('utf8', q + 1, close),
    eventId,
    channel: channelEnd < 0 ? '' : head.toString('utf8', c + 9, channelEnd).trim(),
  };
}

const plain = (h: EventHeader | null) =>
  h === null ? null : { provider: h.provider, eventId: h.eventId, channel: h.channel };

describe('peekHeaderBytes', () => {
  const corpus = corpusEvents().map((text) => Buffer.from(text));

  it('agrees with the plain reading on every corpus event', () => {
    for (const bytes of corpus) expect(plain(peekHeaderBytes(bytes))).toEqual(reference(bytes));
  });

  it('agrees on mutated events, also when the event lies inside a larger buffer', () => {
    // The last ones aim at the layout check of Windows renderings (blanks between tags, a second System or Provider).
    const inserts = ['</System>', '<', '>', '"', "'", ' ', 'Name=', '<EventID>7</EventID>', '<Channel>x</Channel>'];
    inserts.push('\n  ', '<System>', '<Provider Name="p"/>', '<EventID', ' Guid="{x}"', '\t');
    fc.assert(
      fc.property(
        fc.nat(corpus.length - 1),
        fc.array(fc.tuple(fc.nat(600), fc.constantFrom(...inserts)), { maxLength: 4 }),
        fc.option(fc.nat(700)),
        fc.option(fc.nat(5000)),
        fc.string({ maxLength: 20 }),
        (index, edits, cut, padAt, junk) => {
          let text = corpus[index]!.toString('utf8');
          for (const [at, insert] of edits) text = text.slice(0, at) + insert + text.slice(at);
          // Padding pushes the later System fields past 4096 bytes.
          if (padAt !== null) text = text.slice(0, padAt % 300) + ' '.repeat(4100) + text.slice(padAt % 300);
          let bytes = Buffer.from(text);
          if (cut !== null) bytes = bytes.subarray(0, cut);
          expect(plain(peekHeaderBytes(bytes))).toEqual(reference(bytes));
          const outer = Buffer.concat([Buffer.from(junk), bytes, Buffer.from(`${junk}</System><Channel>y</Channel>`)]);
          const start = Buffer.byteLength(junk);
          expect(plain(peekHeaderBytes(outer, start, start + bytes.length))).toEqual(reference(bytes));
        },
      ),
      { numRuns: 1500, seed: 20261130 },
    );
  });
  it('reads each provider name right when names of the same length alternate, more of them than it remembers', () => {
    // Provider names are recognised by their bytes among the last few decoded: names one byte apart must not mix.
    const names = Array.from({ length: 12 }, (_, k) => `Provider-${String.fromCharCode(0x41 + k)}-${k % 3}é`);
    const order = [0, 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 11, 1, 5, 5, 2, 9];
    for (const k of order) {
      const bytes = Buffer.from(
        `<Event><System><Provider Name='${names[k]}' Guid='{x}'/><EventID>${k}</EventID><Channel>c</Channel></System></Event>`,
      );
      expect(plain(peekHeaderBytes(bytes))).toEqual({ provider: names[k], eventId: k, channel: 'c' });
    }
  });
});
