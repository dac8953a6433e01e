/**
 * Characters XML 1.0 forbids (the Char production, https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
 * line feed and carriage return, and U+FFFE/U+FFFF; literally or as a character reference (`&#0;`, `&#x1F;`).
 * A NUL inside a value would make `CORP\al\u0000ice` print as "alice" and still be another user.
 */
// Two searches, the references only when the text has `&#` at all: one class alone is scanned about twice as fast as
// the alternation.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML forbids are what this finds
const FORBIDDEN_LITERAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const FORBIDDEN_REFERENCE =
  /&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01]|6553[45])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]));/;

/** True when XML 1.0 allows the code point (surrogates count as allowed here: encoding.ts checks their pairing). */
export function isXmlChar(code: number): boolean {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
  return code !== 0xfffe && code !== 0xffff && code <= 0x10ffff;
}

/** The first character XML 1.0 forbids in `text` (literal or referenced): its offset and code point; null if none. */
export function findForbiddenCharacter(text: string): { offset: number; code: number } | null {
  const literal = FORBIDDEN_LITERAL.exec(text);
  const reference = text.indexOf('&#') < 0 ? null : FORBIDDEN_REFERENCE.exec(text);
  // The first of the two (they never start at the same offset: one is a control character, the other `&`).
  const match = reference === null || (literal !== null && literal.index < reference.index) ? literal : reference;
  if (match === null) return null;
  const found = match[0];
  if (found.length === 1) return { offset: match.index, code: found.charCodeAt(0) };
  const hex = found[2] === 'x' || found[2] === 'X';
  return { offset: match.index, code: Number.parseInt(found.slice(hex ? 3 : 2, -1), hex ? 16 : 10) };
}

/** The rejection reason for a forbidden character: its code point and offset, never the text around it. */
export function forbiddenCharacterReason(found: { offset: number; code: number }): string {
  const name = `U+${found.code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `character ${name}, which XML 1.0 forbids, at character ${found.offset} of the event`;
}
