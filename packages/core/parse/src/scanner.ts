import { fail, type ParsedEvent, type Result } from '@otptrace/model';
import { decodeEntities } from './entities.js';
import { buildParsedEvent, emptyFields, type RawEventFields } from './fields.js';
import { findForbiddenCharacter, forbiddenCharacterReason } from './xml-chars.js';

// The fast path: one pass over the event text with indexOf, checking that tags balance and collecting only the
// System fields and the EventData/UserData values. No DTD, no external entities, no entity expansion beyond the
// five predefined ones and character references.

const SYSTEM_TEXT_FIELDS = new Set([
  'EventID',
  'Version',
  'Level',
  'Task',
  'Keywords',
  'EventRecordID',
  'Channel',
  'Computer',
]);

/** Parse one `<Event>` element's text into a ParsedEvent; bad input comes back as an issue, never thrown. */
export function scanEvent(text: string): Result<ParsedEvent> {
  const forbidden = findForbiddenCharacter(text);
  if (forbidden !== null) return fail('forbidden_character', forbiddenCharacterReason(forbidden));
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
    if (c === 0x2f) {
      // end tag
      const gt = text.indexOf('>', lt);
      if (gt < 0) return fail('malformed_xml', 'unterminated end tag');
      const open = stack.pop();
      // The usual `</Name>` is compared in place; anything else (blanks before `>`, a mismatch) the long way.
      const name = open !== undefined && gt === lt + 2 + open.length && text.startsWith(open, lt + 2) ? open : null;
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
    if (depth === 2 && parent === 'System') {
      for (let k = 0; k < tag.attrs.length; k += 2) fields.attrs[`${tag.name}@${tag.attrs[k]}`] = tag.attrs[k + 1]!;
    }
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
  tag.name = text.slice(lt + 1, i);
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
    const attrName = isSpace(text.charCodeAt(eq - 1)) ? text.slice(i, eq).trimEnd() : text.slice(i, eq);
    if (attrName.length === 0 || (!plainName(attrName) && BAD_ATTR_NAME.test(attrName))) return false;
    let q = eq + 1;
    while (q < n && isSpace(text.charCodeAt(q))) q++;
    const quote = text.charCodeAt(q);
    if (quote !== 0x22 && quote !== 0x27) return false;
    const close = text.indexOf(quote === 0x22 ? '"' : "'", q + 1);
    if (close < 0) return false;
    const raw = text.slice(q + 1, close);
    if (raw.indexOf('<') >= 0) return false;
    const value = raw.indexOf('&') < 0 ? raw : decodeEntities(raw);
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
