import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventWithFxp } from '../src/fxp.js';
import { scanEvent } from '../src/index.js';
import { corpusEvents } from './corpus.js';

const corpus = corpusEvents();

/** XML 1.0 Char production, less the characters XML must escape. */
const xmlChar = (c: number): boolean =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c > 0xffff;

describe('scanner and fast-xml-parser give identical parsed events', () => {
  it('on the whole corpus (real samples, scenarios, example)', () => {
    expect(corpus.length).toBeGreaterThan(150);
    for (const text of corpus) {
      const fast = scanEvent(text);
      expect(fast.ok, text.slice(0, 200)).toBe(true);
      expect(fast).toEqual(parseEventWithFxp(text));
    }
  });

  it('on generated variations: quote style, white space between elements, entities and values', () => {
    const variation = fc.record({
      index: fc.nat({ max: corpus.length - 1 }),
      singleQuotes: fc.boolean(),
      indent: fc.constantFrom('', '\n', '\r\n  ', '\t'),
      entity: fc.constantFrom('', '&amp;', '&lt;x&gt;', '&#xD;&#xA;', '&#233;', '&quot;&apos;'),
      value: fc
        .string({ maxLength: 12 })
        .filter((s) => [...s].every((ch) => xmlChar(ch.codePointAt(0)!) && ch !== '<' && ch !== '&')),
    });
    fc.assert(
      fc.property(variation, (v) => {
        let text = corpus[v.index]!;
        if (v.singleQuotes) text = text.replace(/="([^"']*)"/g, "='$1'");
        text = text.replace(/></g, `>${v.indent}<`);
        text = text.replace(/(<Data Name=["'][^"']+["']>)/, `$1${v.entity}${v.value.replace(/>/g, '&gt;')}`);
        const fast = scanEvent(text);
        const reference = parseEventWithFxp(text);
        expect(fast.ok).toBe(reference.ok);
        if (fast.ok && reference.ok) expect(fast.value).toEqual(reference.value);
      }),
      { numRuns: 600, seed: 20261125 },
    );
  });
});

describe('scanner', () => {
  const sample = corpus[0]!;
  it('decodes entities and character references in values', () => {
    const text = sample.replace(/(<Computer>)[^<]*/, '$1a&amp;b&#x41;&#66;');
    const r = scanEvent(text);
    expect(r.ok && r.value.computer).toBe('a&bAB');
  });
  it('reads CR LF and a lone CR in values as LF, as XML does (a character reference stays a CR)', () => {
    // An empty Data element in an event pretty-printed with CR LF (a Windows editor, a PowerShell export) holds a line
    // end and the indent: fast-xml-parser, like every XML parser, reads it as LF (XML 1.0 §2.11).
    const withValue = (v: string) =>
      sample.replace(/<Data Name=(["'])([^"']+)\1>[^<]*<\/Data>/, `<Data Name="$2">${v}</Data>`);
    const name = /<Data Name=["']([^"']+)["']>/.exec(sample)![1]!;
    for (const [raw, read] of [
      ['\r\n  ', '\n  '],
      ['a\rb\r\nc', 'a\nb\nc'],
      ['a&#xD;&#xA;b', 'a\r\nb'],
    ] as const) {
      const r = scanEvent(withValue(raw));
      expect(r.ok && r.value.data[name]).toBe(read);
      expect(r).toEqual(parseEventWithFxp(withValue(raw)));
    }
  });
  it('refuses a DOCTYPE inside an event and processing instructions', () => {
    expect(scanEvent(sample.replace('<System>', '<!DOCTYPE x><System>'))).toMatchObject({
      ok: false,
      issue: { code: 'forbidden_markup' },
    });
    expect(scanEvent(sample.replace('<System>', '<?pi x?><System>'))).toMatchObject({
      ok: false,
      issue: { code: 'forbidden_markup' },
    });
  });
  it('refuses unbalanced tags, a second root and text outside the root', () => {
    expect(scanEvent(sample.replace('</System>', '</Sys>'))).toMatchObject({
      ok: false,
      issue: { code: 'malformed_xml' },
    });
    expect(scanEvent(`${sample}<Event/>`)).toMatchObject({ ok: false, issue: { code: 'malformed_xml' } });
    expect(scanEvent(`${sample}junk`)).toMatchObject({ ok: false, issue: { code: 'malformed_xml' } });
  });
  it('names the missing System field', () => {
    expect(scanEvent(sample.replace(/<EventRecordID>\d+<\/EventRecordID>/, ''))).toMatchObject({
      ok: false,
      issue: { code: 'missing_field', path: 'System.EventRecordID' },
    });
    expect(scanEvent(sample.replace(/<EventID[^>]*>\d+<\/EventID>/, '<EventID>abc</EventID>'))).toMatchObject({
      ok: false,
      issue: { code: 'invalid_field', path: 'System.EventID' },
    });
  });
});
