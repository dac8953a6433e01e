import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventWithFxp } from '../src/fxp.js';
import { findForbiddenCharacter, isXmlChar, scanEvent } from '../src/index.js';

// test/scenarios/success: the NPS 6272 of one successful attempt; its user is CORP\alice.
const nps = readFileSync(new URL('../../../../test/scenarios/success/nps.xml', import.meta.url), 'utf8').trim();
const withUser = (user: string) => nps.replace(/CORP\\alice/g, user);

describe('characters XML 1.0 forbids', () => {
  it('classifies every C0 control but tab, LF and CR, and U+FFFE/U+FFFF, as forbidden', () => {
    const forbidden = Array.from({ length: 0x20 }, (_, c) => c).filter((c) => !isXmlChar(c));
    expect(forbidden).toEqual([...Array(9).keys(), 0x0b, 0x0c, ...Array.from({ length: 18 }, (_, i) => 0x0e + i)]);
    expect([0xfffe, 0xffff].map(isXmlChar)).toEqual([false, false]);
    expect([0x20, 0x7f, 0xe9, 0xfffd, 0x1f600].map(isXmlChar)).toEqual([true, true, true, true, true]);
  });

  it('finds them literally and as decimal or hexadecimal character references, with their offset', () => {
    expect(findForbiddenCharacter('ab\u0000c')).toEqual({ offset: 2, code: 0 });
    expect(findForbiddenCharacter('a&#0;')).toEqual({ offset: 1, code: 0 });
    expect(findForbiddenCharacter('a&#x1F;')).toEqual({ offset: 1, code: 0x1f });
    expect(findForbiddenCharacter('&#0011;')).toEqual({ offset: 0, code: 11 });
    expect(findForbiddenCharacter('&#xfffe;')).toEqual({ offset: 0, code: 0xfffe });
    // Allowed: tab, LF, CR literally or referenced, other references, a lone ampersand-hash text.
    for (const ok of ['\t\n\r', '&#9;&#10;&#13;&#x9;&#xA;&#xD;', '&#32;&#x20;&#233;&#65533;', '&#x7F;', 'a &# b'])
      expect(findForbiddenCharacter(ok), JSON.stringify(ok)).toBeNull();
  });

  it('finds the first of literal and referenced ones, as one alternation over the text would', () => {
    // The definition the two searches replace: one regular expression, its first match.
    const ONE = new RegExp(
      '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]' +
        '|&#(?:0*(?:[0-8]|1[124-9]|2\\d|3[01]|6553[45])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]));',
    );
    const first = (text: string) => {
      const m = ONE.exec(text);
      if (m === null) return null;
      const hex = m[0][2] === 'x' || m[0][2] === 'X';
      const code = m[0].length === 1 ? m[0].charCodeAt(0) : Number.parseInt(m[0].slice(hex ? 3 : 2, -1), hex ? 16 : 10);
      return { offset: m.index, code };
    };
    const piece = fc.constantFrom(
      'a',
      ' ',
      '\t',
      '\u0000',
      '\u001b',
      '\uffff',
      '&#',
      '&#0;',
      '&#x1F;',
      '&#9;',
      '&#xfffe;',
      ';',
      'x',
      '0',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(findForbiddenCharacter(text)).toEqual(first(text));
      }),
      { numRuns: 3000, seed: 20261130 },
    );
  });

  it('rejects an event with NUL in a value as forbidden_character, naming the code point, never the value', () => {
    for (const user of ['CORP\\al\u0000ice', 'CORP\\al&#0;ice', 'CORP\\al&#x1;ice', 'CORP\\al\u001bice']) {
      for (const parse of [scanEvent, parseEventWithFxp]) {
        const result = parse(withUser(user));
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.issue.code).toBe('forbidden_character');
        expect(result.issue.message).toMatch(/^character U\+00(00|01|1B), which XML 1.0 forbids, at character \d+/);
        expect(result.issue.message).not.toContain('al');
      }
    }
    expect(scanEvent(withUser('CORP\\alice')).ok).toBe(true);
  });
});
