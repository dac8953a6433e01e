import { isXmlChar } from './xml-chars.js';

/** Decode the five predefined XML entities and character references; null when an undefined entity appears. */
export function decodeEntities(raw: string): string | null {
  if (raw.indexOf('&') < 0) return raw;
  let out = '';
  let from = 0;
  for (;;) {
    const amp = raw.indexOf('&', from);
    if (amp < 0) return out + raw.slice(from);
    const semi = raw.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) return null;
    out += raw.slice(from, amp);
    const name = raw.slice(amp + 1, semi);
    const ch = entityValue(name);
    if (ch === null) return null;
    out += ch;
    from = semi + 1;
  }
}

function entityValue(name: string): string | null {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  if (name.charCodeAt(0) !== 0x23) return null; // '#'
  const hex = name[1] === 'x' || name[1] === 'X';
  const digits = name.slice(hex ? 2 : 1);
  if (digits.length === 0 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return null;
  const code = Number.parseInt(digits, hex ? 16 : 10);
  // XML 1.0 Char production: no C0 control but tab/LF/CR, no surrogates, nothing beyond U+10FFFF (xml-chars.ts).
  if (!isXmlChar(code) || (code >= 0xd800 && code <= 0xdfff)) return null;
  return String.fromCodePoint(code);
}

/**
 * XML's end-of-line handling (XML 1.0 §2.11): CR LF and a lone CR read as LF, before markup and references are read,
 * so `&#xD;` still gives a CR. An event pretty-printed with CR LF (a Windows editor, a PowerShell export) then has the
 * values any XML parser gives, and its shape is the one the same event written with LF has (shapes.ts).
 */
export function normalizeLineEnds(raw: string): string {
  return raw.indexOf('\r') < 0 ? raw : raw.replace(/\r\n?/g, '\n');
}
