import { fail, type ParsedEvent, type Result } from '@otptrace/model';
import { decodeEntities, normalizeLineEnds } from './entities.js';
import { buildParsedEvent, emptyFields, type RawEventFields } from './fields.js';
import { equalAt, KEPT_ATTRIBUTES, recall, SYSTEM_TEXT_FIELDS } from './names.js';
import { learnShape, readKnownShape } from './shapes.js';
import { findForbiddenCharacter, forbiddenCharacterReason } from './xml-chars.js';

// The fast path: one pass over the event text with indexOf, checking that tags balance and collecting only the
// System fields and the EventData/UserData values. No DTD, no external entities, no entity expansion beyond the
// five predefined ones and character references.

/** Parse one `<Event>` element's text into a ParsedEvent; bad input comes back as an issue, never thrown. */
export function scanEvent(raw: string): Result<ParsedEvent> {
  // Looked for in the text as written, so that the offset given is the one in the file's event.
  const forbidden = findForbiddenCharacter(raw);
  if (forbidden !== null) return fail('forbidden_character', forbiddenCharacterReason(forbidden));
  const text = normalizeLineEnds(raw);
  // Without `&`, an event written like one read before is read through its shape (shapes.ts); else, and when no
  // shape fits, scanned, and its shape kept.
  const plain = text.indexOf('&') < 0;
  if (plain) {
    const known = readKnownShape(text);
    if (known !== null) return known;
  }
  const scanned = scanChecked(text, true);
  if (plain && scanned.ok) learnShape(text);
  return scanned;
}

/**
 * The scanner, with or without the fast readers of System and EventData children (without: the general steps read
 * every element; the tests check that both give the same result, on the corpus and on mutated events).
 */
export function scanEventWith(raw: string, fastReaders: boolean): Result<ParsedEvent> {
  // Looked for in the text as written, so that the offset given is the one in the file's event.
  const forbidden = findForbiddenCharacter(raw);
  if (forbidden !== null) return fail('forbidden_character', forbiddenCharacterReason(forbidden));
  const text = normalizeLineEnds(raw);
  return scanChecked(text, fastReaders);
}

/** The scanner on a text without forbidden characters. */
function scanChecked(text: string, fastReaders: boolean): Result<ParsedEvent> {
  const fields = emptyFields();
  const stack: string[] = [];
  let i = 0;
  let textStart = -1; // start of the character data of the element being captured
  let captured = ''; // CDATA sections of that element
  let dataName: string | null | undefined; // Name of the <Data> being captured (null: unnamed)
  let seenRoot = false;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (stack.length > 0 || text.slice(i).trim() !== '')
        return fail('malformed_xml', 'text after the end of the event');
      break;
    }
    if (stack.length === 0 && text.slice(i, lt).trim() !== '')
      return fail('malformed_xml', 'text outside the <Event> element');
    const c = text.charCodeAt(lt + 1);
    // The children of System and EventData as Windows writes them are read whole by the fast readers below; any
    // other spelling is left to the general steps that follow, which read it from the same `<`.
    if (fastReaders && textStart < 0 && stack.length === 2 && c !== 0x2f && c !== 0x21 && c !== 0x3f) {
      const parent = stack[1];
      const next =
        parent === 'EventData'
          ? readDataElement(text, lt, fields)
          : parent === 'System'
            ? readSystemElement(text, lt, fields)
            : -1;
      if (next >= 0) {
        i = next;
        continue;
      }
    }
    if (c === 0x2f) {
      // end tag
      const gt = text.indexOf('>', lt);
      if (gt < 0) return fail('malformed_xml', 'unterminated end tag');
      const open = stack.pop();
      // The usual `</Name>` is compared in place; anything else (blanks before `>`, a mismatch) the long way.
      const name = open !== undefined && gt === lt + 2 + open.length && equalAt(text, lt + 2, open) ? open : null;
      if (name === null) {
        const written = text.slice(lt + 2, gt).trimEnd();
        if (open !== written) return fail('malformed_xml', `</${written}> does not close <${open ?? ''}>`);
      }
      if (textStart >= 0) {
        const value = decodeEntities(captured + text.slice(textStart, lt));
        if (value === null) return fail('malformed_xml', `undefined entity in <${open}>`);
        store(fields, stack, open as string, value, dataName);
        textStart = -1;
        captured = '';
        dataName = undefined;
      }
      i = gt + 1;
      continue;
    }
    if (c === 0x21) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end < 0) return fail('malformed_xml', 'unterminated comment');
        if (textStart >= 0) captured += text.slice(textStart, lt);
        if (textStart >= 0) textStart = end + 3;
        i = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) return fail('malformed_xml', 'unterminated CDATA section');
        if (textStart >= 0) {
          captured += decodeOrRaw(text.slice(textStart, lt)) + text.slice(lt + 9, end);
          textStart = end + 3;
        }
        i = end + 3;
        continue;
      }
      return fail('forbidden_markup', 'DOCTYPE or declaration inside an event refused');
    }
    if (c === 0x3f) return fail('forbidden_markup', 'processing instruction inside an event refused');
    // start tag
    if (!readStartTag(text, lt)) return fail('malformed_xml', 'malformed start tag');
    if (stack.length === 0) {
      if (seenRoot) return fail('malformed_xml', 'more than one root element');
      if (tag.name !== 'Event') return fail('malformed_xml', `root element <${tag.name}> is not <Event>`);
      seenRoot = true;
    }
    if (textStart >= 0) {
      // mixed content inside a captured leaf: not a shape Windows writes
      return fail('malformed_xml', `element <${tag.name}> nested inside a value`);
    }
    const parent = stack[stack.length - 1];
    const depth = stack.length;
    if (depth === 2 && parent === 'System') keepSystemAttributes(fields);
    const capture = wantsText(stack, tag.name);
    if (capture) dataName = tag.name === 'Data' ? (attr(tag, 'Name') ?? null) : undefined;
    if (tag.selfClosing) {
      if (capture) store(fields, stack, tag.name, '', dataName);
      dataName = undefined;
    } else {
      stack.push(tag.name);
      if (capture) {
        textStart = tag.end;
        captured = '';
      }
    }
    i = tag.end;
  }
  if (!seenRoot) return fail('malformed_xml', 'no <Event> element');
  if (stack.length > 0) return fail('malformed_xml', `<${stack[stack.length - 1]}> is not closed`);
  return buildParsedEvent(fields);
}

/**
 * An EventData child written `<Data Name="n">value</Data>`, `<Data Name="n"/>`, `<Data>value</Data>` or `<Data/>`
 * (one blank before Name, none around `=`, no entity in the name, nothing but text in the value), at `lt`, stored
 * exactly as the general steps would store it; returns the index after it, or -1 (nothing stored) for any other
 * spelling, which the general steps then read.
 */
function readDataElement(text: string, lt: number, fields: RawEventFields): number {
  if (!equalAt(text, lt + 1, 'Data')) return -1;
  let p = lt + 5;
  let c = text.charCodeAt(p);
  let name: string | null = null;
  if (c === 0x20 && equalAt(text, p + 1, 'Name=')) {
    const quote = text.charCodeAt(p + 6);
    if (quote !== 0x22 && quote !== 0x27) return -1;
    const close = text.indexOf(quote === 0x22 ? '"' : "'", p + 7);
    if (close < 0 || !plainText(text, p + 7, close)) return -1;
    name = recall(text, p + 7, close);
    p = close + 1;
    c = text.charCodeAt(p);
  }
  let value: string | null;
  let end: number;
  if (c === 0x2f) {
    if (text.charCodeAt(p + 1) !== 0x3e) return -1;
    value = '';
    end = p + 2;
  } else if (c === 0x3e) {
    const valueEnd = text.indexOf('<', p + 1);
    if (valueEnd < 0 || !equalAt(text, valueEnd, '</Data>')) return -1;
    value = decodeEntities(text.slice(p + 1, valueEnd));
    if (value === null) return -1;
    end = valueEnd + 7;
  } else return -1;
  fields.dataList.push(value);
  if (name !== null) {
    if (name in fields.data) fields.duplicateName ??= name;
    else fields.data[name] = value;
  }
  return end;
}

/**
 * A System child without attributes and with text only, `<EventID>4624</EventID>`, at `lt`: its text stored if it is
 * one of SYSTEM_TEXT_FIELDS, as the general steps would; returns the index after it, or -1 (nothing stored) for any
 * other spelling (attributes, blanks in a tag, a nested element, CDATA, a comment).
 */
function readSystemTextElement(text: string, lt: number, fields: RawEventFields): number {
  // The name ends where the general tag reader ends it; here it must end with `>`.
  let k = lt + 1;
  let c = text.charCodeAt(k);
  while (k < text.length && c !== 0x3e && c !== 0x20 && c !== 0x2f && c !== 0x09 && c !== 0x0a && c !== 0x0d)
    c = text.charCodeAt(++k);
  if (c !== 0x3e || k === lt + 1) return -1;
  const valueEnd = text.indexOf('<', k + 1);
  const length = k - lt - 1;
  if (
    valueEnd < 0 ||
    text.charCodeAt(valueEnd + 1) !== 0x2f ||
    text.charCodeAt(valueEnd + 2 + length) !== 0x3e ||
    !sameRun(text, lt + 1, valueEnd + 2, length)
  )
    return -1;
  const name = recall(text, lt + 1, k);
  if (SYSTEM_TEXT_FIELDS.has(name)) {
    // The channel and the computer repeat from one event to the next: recalled, they reach the normaliser's intern
    // table as the very string it holds (a pointer compare there, instead of hashing a substring).
    const value =
      (name === 'Channel' || name === 'Computer') && plainText(text, k + 1, valueEnd)
        ? recall(text, k + 1, valueEnd)
        : decodeEntities(text.slice(k + 1, valueEnd));
    if (value === null) return -1;
    fields.system[name] = value;
  }
  return valueEnd + 3 + length;
}

/** A System child read by one of the two fast readers below; -1 when neither takes it. */
function readSystemElement(text: string, lt: number, fields: RawEventFields): number {
  const next = readSystemTextElement(text, lt, fields);
  return next >= 0 ? next : readSystemEmptyElement(text, lt, fields);
}

// Where the attribute names of the element being read by readSystemEmptyElement start, and their lengths.
const ATTR_LIMIT = 8;
const attrStarts = new Int32Array(ATTR_LIMIT);
const attrLengths = new Int32Array(ATTR_LIMIT);

/**
 * An empty System child with attributes as Windows writes them, `<Provider Name='…' Guid='…'/>`,
 * `<TimeCreated SystemTime='…' />`, `<Execution ProcessID='…' ThreadID='…'/>`, `<Correlation/>`: names of letters,
 * digits and `:_.-`, one blank before each attribute (and optionally before `/>`), `=` right after the name, values
 * without `&` or `<`, no attribute twice, not one of SYSTEM_TEXT_FIELDS. The attributes buildParsedEvent reads are
 * stored exactly as the general steps store them; returns the index after `/>`, or -1 (nothing stored) for any other
 * spelling, which the general steps then read.
 */
function readSystemEmptyElement(text: string, lt: number, fields: RawEventFields): number {
  const n = text.length;
  let p = lt + 1;
  while (p < n && isNameChar(text.charCodeAt(p))) p++;
  if (p === lt + 1 || p >= n) return -1;
  let c = text.charCodeAt(p);
  if (c !== 0x20 && c !== 0x2f) return -1;
  // One lookup: null for the SYSTEM_TEXT_FIELDS (left to the general steps), the kept attributes, or none.
  const kept = EMPTY_ELEMENT_KEPT.get(recall(text, lt + 1, p));
  if (kept === null) return -1;
  let count = 0;
  let keyA: string | undefined;
  let valueA = '';
  let keyB: string | undefined;
  let valueB = '';
  while (c === 0x20) {
    p++;
    c = text.charCodeAt(p);
    if (c === 0x2f) break; // ` />`
    const start = p;
    while (p < n && isNameChar(text.charCodeAt(p))) p++;
    const length = p - start;
    if (length === 0 || text.charCodeAt(p) !== 0x3d || count === ATTR_LIMIT) return -1;
    for (let k = 0; k < count; k++)
      if (attrLengths[k] === length && sameRun(text, attrStarts[k]!, start, length)) return -1; // twice: general
    attrStarts[count] = start;
    attrLengths[count] = length;
    count++;
    const quote = text.charCodeAt(p + 1);
    if (quote !== 0x22 && quote !== 0x27) return -1;
    let close = p + 2;
    for (; close < n; close++) {
      const ch = text.charCodeAt(close);
      if (ch === quote) break;
      if (ch === 0x26 || ch === 0x3c) return -1;
    }
    if (close >= n) return -1;
    if (kept !== undefined) {
      const key = keptKey(kept, text, start, length);
      if (key !== undefined) {
        // As the general steps: a Name is recalled, other values are the text as written.
        const value =
          length === 4 && equalAt(text, start, 'Name') ? recall(text, p + 2, close) : text.slice(p + 2, close);
        if (keyA === undefined) {
          keyA = key;
          valueA = value;
        } else {
          keyB = key;
          valueB = value;
        }
      }
    }
    p = close + 1;
    c = text.charCodeAt(p);
  }
  if (c !== 0x2f || text.charCodeAt(p + 1) !== 0x3e) return -1;
  if (keyA !== undefined) fields.attrs[keyA] = valueA;
  if (keyB !== undefined) fields.attrs[keyB] = valueB;
  return p + 2;
}

/** The `Element@attribute` key of the attribute named text[start, start + length), if it is one that is kept. */
function keptKey(kept: readonly string[], text: string, start: number, length: number): string | undefined {
  for (let k = 0; k < kept.length; k += 2) {
    const attribute = kept[k]!;
    if (attribute.length === length && equalAt(text, start, attribute)) return kept[k + 1];
  }
  return undefined;
}

/** ASCII letters, digits, `:`, `_`, `-` and `.` (plainName's characters). */
function isNameChar(c: number): boolean {
  const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
  return letter || (c >= 0x30 && c <= 0x3a) || c === 0x5f || c === 0x2d || c === 0x2e;
}

/** Whether text[a, a + length) and text[b, b + length) are equal. */
function sameRun(text: string, a: number, b: number, length: number): boolean {
  if (b + length > text.length) return false;
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** By System child name: null for SYSTEM_TEXT_FIELDS, else its kept attributes and their keys, flat (KEPT_ATTRIBUTES). */
const EMPTY_ELEMENT_KEPT: ReadonlyMap<string, readonly string[] | null> = new Map<string, readonly string[] | null>([
  ...[...SYSTEM_TEXT_FIELDS].map((name): [string, null] => [name, null]),
  ...[...KEPT_ATTRIBUTES]
    .filter(([name]) => !SYSTEM_TEXT_FIELDS.has(name))
    .map(([name, attributes]): [string, string[]] => [name, [...attributes].flat()]),
]);

/** Keep the attributes of the System child just read that buildParsedEvent reads (the others were checked). */
function keepSystemAttributes(fields: RawEventFields): void {
  const kept = KEPT_ATTRIBUTES.get(tag.name);
  if (kept === undefined) return;
  for (let k = 0; k < tag.attrs.length; k += 2) {
    const key = kept.get(tag.attrs[k]!);
    if (key !== undefined) fields.attrs[key] = tag.attrs[k + 1]!;
  }
}

/** Whether text[from, to) holds neither `&` (an entity to decode) nor `<`. */
function plainText(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x26 || c === 0x3c) return false;
  }
  return true;
}

function decodeOrRaw(s: string): string {
  return decodeEntities(s) ?? s;
}

/** Whether the element about to open is a leaf whose text we keep. */
function wantsText(stack: readonly string[], name: string): boolean {
  const depth = stack.length;
  if (depth === 2 && stack[1] === 'System') return SYSTEM_TEXT_FIELDS.has(name);
  if (depth === 2 && stack[1] === 'EventData') return name === 'Data';
  // <UserData><SomeName xmlns=...><Field>value</Field></SomeName></UserData>
  return depth === 3 && stack[1] === 'UserData';
}

function store(
  fields: RawEventFields,
  stack: readonly string[],
  name: string,
  value: string,
  dataName: string | null | undefined,
): void {
  if (stack[1] === 'System') {
    fields.system[name] = value;
    return;
  }
  const key = stack[1] === 'UserData' ? name : dataName;
  fields.dataList.push(value);
  if (key === null || key === undefined) return;
  if (key in fields.data) fields.duplicateName ??= key;
  else fields.data[key] = value;
}

/** The start tag just read. One object, reused for every tag: the scanner allocates per value, not per tag. */
interface StartTag {
  name: string;
  /** Attribute names and values, flat: [name0, value0, name1, value1, ...]. */
  readonly attrs: string[];
  selfClosing: boolean;
  /** Index just after the closing `>`. */
  end: number;
}

const tag: StartTag = { name: '', attrs: [], selfClosing: false, end: 0 };
const BAD_ATTR_NAME = /[\s<>"']/;

/** The value of attribute `name` of the tag just read, if present. */
function attr(t: StartTag, name: string): string | undefined {
  for (let k = 0; k < t.attrs.length; k += 2) if (t.attrs[k] === name) return t.attrs[k + 1];
  return undefined;
}

/** Read `<name a="v" b='w'>` or `<name/>` at `lt` into `tag`; false when it is not a well-formed start tag. */
function readStartTag(text: string, lt: number): boolean {
  const n = text.length;
  let i = lt + 1;
  let c = text.charCodeAt(i);
  while (i < n && c !== 0x20 && c !== 0x3e && c !== 0x2f && c !== 0x09 && c !== 0x0a && c !== 0x0d)
    c = text.charCodeAt(++i);
  if (i === lt + 1) return false;
  tag.name = recall(text, lt + 1, i);
  tag.attrs.length = 0;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return false;
    c = text.charCodeAt(i);
    if (c === 0x3e) {
      tag.selfClosing = false;
      tag.end = i + 1;
      return true;
    }
    if (c === 0x2f) {
      if (text.charCodeAt(i + 1) !== 0x3e) return false;
      tag.selfClosing = true;
      tag.end = i + 2;
      return true;
    }
    const eq = text.indexOf('=', i);
    if (eq < 0) return false;
    // trimEnd (any Unicode blank) as before, when blanks precede `=`; else the usual name, recalled.
    const attrName = isSpace(text.charCodeAt(eq - 1)) ? text.slice(i, eq).trimEnd() : recall(text, i, eq);
    if (attrName.length === 0 || (!plainName(attrName) && BAD_ATTR_NAME.test(attrName))) return false;
    let q = eq + 1;
    while (q < n && isSpace(text.charCodeAt(q))) q++;
    const quote = text.charCodeAt(q);
    if (quote !== 0x22 && quote !== 0x27) return false;
    const close = text.indexOf(quote === 0x22 ? '"' : "'", q + 1);
    if (close < 0) return false;
    let value: string | null;
    // A Data element's Name is a name like the element's (recalled); other values are mostly new (times, IDs).
    if (attrName === 'Name' && plainText(text, q + 1, close)) value = recall(text, q + 1, close);
    else {
      const raw = text.slice(q + 1, close);
      if (raw.indexOf('<') >= 0) return false;
      value = raw.indexOf('&') < 0 ? raw : decodeEntities(raw);
    }
    if (value === null) return false;
    for (let k = 0; k < tag.attrs.length; k += 2) if (tag.attrs[k] === attrName) return false;
    tag.attrs.push(attrName, value);
    i = close + 1;
    c = text.charCodeAt(i);
    if (i < n && !isSpace(c) && c !== 0x3e && c !== 0x2f) return false;
  }
}

/** A name of ASCII letters, digits, `:`, `_`, `-` and `.` only (then surely none of BAD_ATTR_NAME's characters). */
function plainName(name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (!letter && !(c >= 0x30 && c <= 0x3a) && c !== 0x5f && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
