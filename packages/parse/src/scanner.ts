import { fail, type ParsedEvent, type Result } from '@otptrace/model';
import { decodeEntities } from './entities.js';
import { buildParsedEvent, type RawEventFields } from './fields.js';

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
  const fields: RawEventFields = { system: {}, attrs: {}, data: new Map(), dataList: [], duplicateName: null };
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
      const name = text.slice(lt + 2, gt).trimEnd();
      const open = stack.pop();
      if (open !== name) return fail('malformed_xml', `</${name}> does not close <${open ?? ''}>`);
      if (textStart >= 0) {
        const value = decodeEntities(captured + text.slice(textStart, lt));
        if (value === null) return fail('malformed_xml', `undefined entity in <${name}>`);
        store(fields, stack, name, value, dataName);
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
    const tag = readStartTag(text, lt);
    if (tag === null) return fail('malformed_xml', 'malformed start tag');
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
      if (tag.attrs !== null) for (const [k, v] of tag.attrs) fields.attrs[`${tag.name}@${k}`] = v;
    }
    const capture = wantsText(stack, tag.name);
    if (capture) dataName = tag.name === 'Data' ? (tag.attrs?.get('Name') ?? null) : undefined;
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
  if (fields.data.has(key)) fields.duplicateName ??= key;
  else fields.data.set(key, value);
}

interface StartTag {
  readonly name: string;
  readonly attrs: Map<string, string> | null;
  readonly selfClosing: boolean;
  /** Index just after the closing `>`. */
  readonly end: number;
}

/** Read `<name a="v" b='w'>` or `<name/>` at `lt`; null when it is not a well-formed start tag. */
function readStartTag(text: string, lt: number): StartTag | null {
  let i = lt + 1;
  const n = text.length;
  while (i < n && !isNameEnd(text.charCodeAt(i))) i++;
  const name = text.slice(lt + 1, i);
  if (name.length === 0) return null;
  let attrs: Map<string, string> | null = null;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return null;
    const c = text.charCodeAt(i);
    if (c === 0x3e) return { name, attrs, selfClosing: false, end: i + 1 };
    if (c === 0x2f) return text.charCodeAt(i + 1) === 0x3e ? { name, attrs, selfClosing: true, end: i + 2 } : null;
    const eq = text.indexOf('=', i);
    if (eq < 0) return null;
    const attrName = text.slice(i, eq).trimEnd();
    if (attrName.length === 0 || /[\s<>"']/.test(attrName)) return null;
    let q = eq + 1;
    while (q < n && isSpace(text.charCodeAt(q))) q++;
    const quote = text[q];
    if (quote !== '"' && quote !== "'") return null;
    const close = text.indexOf(quote, q + 1);
    if (close < 0) return null;
    const raw = text.slice(q + 1, close);
    if (raw.indexOf('<') >= 0) return null;
    const value = decodeEntities(raw);
    if (value === null) return null;
    attrs ??= new Map();
    if (attrs.has(attrName)) return null;
    attrs.set(attrName, value);
    i = close + 1;
    if (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3e && text.charCodeAt(i) !== 0x2f)
      return null;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x3e || c === 0x2f;
}
