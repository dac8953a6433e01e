import type { ParsedEvent, Result } from '@otptrace/model';
import { buildParsedEvent, emptyFields, type RawEventFields } from './fields.js';
import { detach, KEPT_ATTRIBUTES, recall, SYSTEM_TEXT_FIELDS } from './names.js';

// Known event shapes. The events of one source are written with the same markup event after event: only the values
// change. Once the scanner has accepted an event, its markup is kept as a shape (the literal text between its values,
// and what each value is for); a later event whose text is that markup with other values in it is read by comparing
// the markup and cutting out the values, without the scanner's per-element work.
//
// Why the result is the scanner's: the scanner's decisions depend on the markup and, among the values, only on `&`
// (entities) and `<` in them. Shapes are learned and used only on texts without `&`; a text value ends at the first `<`
// (the markup that follows is compared); an attribute value with a `<` in it is refused. So the scanner would walk the
// same markup, take the same steps, and store the same values in the same order; buildParsedEvent then checks the
// fields as for any event. Whatever does not fit (another spelling, an unexpected element) goes to the scanner.

/** What a value of a shape is stored as (the scanner's `store` and System attribute rules). */
const SKIP = 0; // read by the scanner but not kept (Opcode, ProcessID, RenderingInfo, …)
const SYSTEM = 1; // fields.system[key]
const SYSTEM_RECALLED = 2; // fields.system[key], as the recalled string (Channel, Computer: see scanner)
const ATTRIBUTE = 3; // fields.attrs[key]
const ATTRIBUTE_RECALLED = 4; // fields.attrs[key], recalled (a Provider Name)
const DATA = 5; // fields.dataList, and fields.data[key]
const UNNAMED_DATA = 6; // fields.dataList only

/** A step of a shape: literal markup to compare, or a value (ending at `end`) to cut out and store. */
interface Step {
  /** The markup to compare; '' for a value. */
  readonly literal: string;
  /** For a value: the character code that ends it (`<` for text, the quote for an attribute); -1 for an empty element. */
  readonly end: number;
  readonly target: number;
  readonly key: string;
}

interface Shape {
  /** Stores of the values in the text before the key's end (equal in every event of the key): target, key, value. */
  readonly constants: readonly Step[];
  readonly steps: readonly Step[];
}

// Shapes by the event text up to `</EventID>` (the provider, its GUID and the event ID with the markup around them).
// Bounded: a few shapes per key, a limited number of keys, and all forgotten when full.
const shapes = new Map<string, Shape[]>();
const MAX_KEYS = 1024;
const MAX_SHAPES_PER_KEY = 4;
const MAX_KEY_LENGTH = 1024;
const KEY_END = '</EventID>';

/** The event read through a known shape, or null when no shape fits (the caller then scans it). */
export function readKnownShape(text: string): Result<ParsedEvent> | null {
  const keyEnd = text.indexOf(KEY_END);
  if (keyEnd < 0 || keyEnd > MAX_KEY_LENGTH) return null;
  const bucket = shapes.get(text.slice(0, keyEnd));
  if (bucket === undefined) return null;
  for (let k = 0; k < bucket.length; k++) {
    const shape = bucket[k]!;
    const fields = readWith(shape, text, keyEnd);
    if (fields === null) continue;
    // The shape that fitted is tried first next time (a log alternating markups tries the likely one first).
    if (k > 0) {
      bucket[k] = bucket[0]!;
      bucket[0] = shape;
    }
    return buildParsedEvent(fields);
  }
  return null;
}

/** Keep the shape of an event text the scanner accepted (without `&`), unless it cannot be one or is known. */
export function learnShape(text: string): void {
  const keyEnd = text.indexOf(KEY_END);
  if (keyEnd < 0 || keyEnd > MAX_KEY_LENGTH) return;
  const key = text.slice(0, keyEnd);
  let bucket = shapes.get(key);
  if (bucket !== undefined && bucket.length >= MAX_SHAPES_PER_KEY) return;
  const steps = stepsOf(text);
  if (steps === null) return;
  const shape = splitAtKey(steps, text, keyEnd);
  if (shape === null) return;
  if (bucket === undefined) {
    if (shapes.size >= MAX_KEYS) shapes.clear();
    bucket = [];
    shapes.set(detach(key), bucket);
  }
  bucket.push(shape);
}

/** Forget every shape (tests). */
export function forgetShapes(): void {
  shapes.clear();
}

/** The fields of `text` read with `shape` from `keyEnd` on, or null when the text does not have that shape. */
function readWith(shape: Shape, text: string, keyEnd: number): RawEventFields | null {
  const fields = emptyFields();
  for (const c of shape.constants) store(fields, c.target, c.key, c.literal);
  const n = text.length;
  let pos = keyEnd;
  let nextLt = -1; // the first `<` at or after pos, once looked for (n when none)
  for (const step of shape.steps) {
    if (step.literal !== '') {
      // indexOf, not startsWith: in V8 the search that starts where it is asked to and finds it at once is several
      // times cheaper than startsWith with a position (a miss searches on, once per shape tried).
      if (text.indexOf(step.literal, pos) !== pos) return null;
      pos += step.literal.length;
      continue;
    }
    if (step.end < 0) {
      store(fields, step.target, step.key, '');
      continue;
    }
    let end: number;
    if (step.end === 0x3c) {
      end = text.indexOf('<', pos);
      if (end < 0) return null;
      nextLt = end;
    } else {
      end = text.indexOf(step.end === 0x22 ? '"' : "'", pos);
      if (end < 0) return null;
      if (nextLt < pos) {
        nextLt = text.indexOf('<', pos);
        if (nextLt < 0) nextLt = n;
      }
      if (nextLt < end) return null; // a `<` in an attribute value: the scanner refuses it
    }
    if (step.target === SYSTEM_RECALLED || step.target === ATTRIBUTE_RECALLED)
      store(fields, step.target, step.key, recall(text, pos, end));
    else if (step.target !== SKIP) store(fields, step.target, step.key, text.slice(pos, end));
    pos = end;
  }
  return pos === n ? fields : null;
}

function store(fields: RawEventFields, target: number, key: string, value: string): void {
  switch (target) {
    case SYSTEM:
    case SYSTEM_RECALLED:
      fields.system[key] = value;
      return;
    case ATTRIBUTE:
    case ATTRIBUTE_RECALLED:
      fields.attrs[key] = value;
      return;
    case DATA:
      // Names are unique: the event the shape was learned from was accepted, and had the same names.
      fields.dataList.push(value);
      fields.data[key] = value;
      return;
    case UNNAMED_DATA:
      fields.dataList.push(value);
      return;
  }
}

const literalStep = (literal: string): Step => ({ literal: detach(literal), end: 0, target: SKIP, key: '' });
const valueStep = (end: number, target: number, key: string): Step => ({ literal: '', end, target, key });

/**
 * The steps of an event text the scanner accepted: its markup as literals, and as values the text of elements below
 * System, EventData and the root's other children (the leaves), and the attribute values of those elements (but a
 * Data element's Name, which is markup). Null for what the shapes leave to the scanner: comments, CDATA, processing
 * instructions, UserData, blanks around `=`, elements deeper than the leaves' children.
 */
function stepsOf(text: string): Step[] | null {
  const steps: Step[] = [];
  const stack: string[] = [];
  const n = text.length;
  let literalFrom = 0;
  const value = (from: number, to: number, end: number, target: number, key: string): void => {
    if (from > literalFrom) steps.push(literalStep(text.slice(literalFrom, from)));
    steps.push(valueStep(end, target, key));
    literalFrom = to;
  };
  let i = 0;
  // The leaf whose start tag was just read: its text is a value if its end tag comes next.
  let leafTarget = -1;
  let leafKey = '';
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 0x2f) {
      if (leafTarget >= 0) value(i, lt, 0x3c, leafTarget, leafKey);
      leafTarget = -1;
      const gt = text.indexOf('>', lt);
      if (gt < 0) return null;
      stack.pop();
      i = gt + 1;
      continue;
    }
    leafTarget = -1;
    if (c === 0x21 || c === 0x3f) return null;
    // A start tag: its name, then attributes written `name="value"` or `name='value'`.
    let p = lt + 1;
    while (p < n && !isTagNameEnd(text.charCodeAt(p))) p++;
    const name = text.slice(lt + 1, p);
    const depth = stack.length; // of this element's parent chain: 0 root, 1 System/EventData, 2 their children
    if (depth >= 3 || (depth === 1 && name === 'UserData')) return null;
    const parent = depth === 2 ? stack[1]! : '';
    const isData = parent === 'EventData' && name === 'Data';
    const kept = parent === 'System' ? KEPT_ATTRIBUTES.get(name) : undefined;
    let dataName: string | null = null;
    let selfClosing = false;
    for (;;) {
      while (p < n && isBlank(text.charCodeAt(p))) p++;
      if (p >= n) return null;
      const ch = text.charCodeAt(p);
      if (ch === 0x3e) {
        p++;
        break;
      }
      if (ch === 0x2f) {
        if (text.charCodeAt(p + 1) !== 0x3e) return null;
        selfClosing = true;
        p += 2;
        break;
      }
      const eq = text.indexOf('=', p);
      if (eq < 0) return null;
      const attribute = text.slice(p, eq);
      if (!/^[A-Za-z0-9:_.-]+$/.test(attribute)) return null;
      const quote = text.charCodeAt(eq + 1);
      if (quote !== 0x22 && quote !== 0x27) return null;
      const close = text.indexOf(quote === 0x22 ? '"' : "'", eq + 2);
      if (close < 0) return null;
      if (isData && attribute === 'Name') dataName = text.slice(eq + 2, close);
      else if (depth === 2) {
        const key = kept?.get(attribute);
        const target = key === undefined ? SKIP : key === 'Provider@Name' ? ATTRIBUTE_RECALLED : ATTRIBUTE;
        value(eq + 2, close, quote, target, key ?? '');
      }
      p = close + 1;
    }
    let target = SKIP;
    let key = '';
    if (depth === 2 && parent === 'System' && SYSTEM_TEXT_FIELDS.has(name)) {
      target = name === 'Channel' || name === 'Computer' ? SYSTEM_RECALLED : SYSTEM;
      key = name;
    } else if (isData) {
      target = dataName === null ? UNNAMED_DATA : DATA;
      key = dataName ?? '';
    }
    if (selfClosing) {
      if (target !== SKIP) value(p, p, -1, target, key);
    } else {
      stack.push(name);
      if (depth === 2) {
        leafTarget = target;
        leafKey = key;
      }
    }
    i = p;
  }
  if (literalFrom < n) steps.push(literalStep(text.slice(literalFrom)));
  return steps;
}

/** The shape of steps learned from `text`, split where the key ends: values before it become constants. */
function splitAtKey(steps: Step[], text: string, keyEnd: number): Shape | null {
  const constants: Step[] = [];
  let pos = 0;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    if (step.literal !== '') {
      const after = pos + step.literal.length;
      if (after > keyEnd) {
        // The key ends inside this literal (or at its start): the rest of it is the first step.
        const rest = step.literal.slice(keyEnd - pos);
        return { constants, steps: [literalStep(rest), ...steps.slice(s + 1)] };
      }
      pos = after;
      continue;
    }
    if (pos === keyEnd) return { constants, steps: steps.slice(s) };
    if (step.end < 0) {
      constants.push({ literal: '', end: -1, target: step.target, key: step.key });
      continue;
    }
    const end = text.indexOf(step.end === 0x3c ? '<' : step.end === 0x22 ? '"' : "'", pos);
    if (end < 0 || end > keyEnd) return null;
    if (step.target !== SKIP)
      constants.push({ literal: detach(text.slice(pos, end)), end: 0, target: step.target, key: step.key });
    pos = end;
  }
  return null;
}

function isTagNameEnd(c: number): boolean {
  return c === 0x20 || c === 0x3e || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
