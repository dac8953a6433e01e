// Mutations of real event files, each a pure function of (bytes, rng): the same seed gives the same case, so a
// failure found by the unit suite or bench/fuzz.mjs is replayed by its seed. Field names used below come from the
// seed files themselves (Windows renderings: see corpus.mjs) and from docs/windows-events.md
// (IIS 6200 Data names, NPS ReasonCode, CA RequestId/Disposition).

/** A small deterministic PRNG (mulberry32): `next()` in [0, 1). */
export function rngFrom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

/** The file's text and its encoding (UTF-16LE when it has a BOM or NUL-interleaved ASCII, as Windows writes). */
export function asText(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: bytes.subarray(2).toString('utf16le'), enc: 'utf16le' };
  if (bytes.length > 1 && bytes[1] === 0 && bytes[0] !== 0) return { text: bytes.toString('utf16le'), enc: 'utf16le' };
  return { text: bytes.toString('utf8'), enc: 'utf8' };
}

const encode = (text, enc) =>
  enc === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text);

/** Apply a text-level edit in the file's own encoding. */
const onText = (edit) => (bytes, rng) => {
  const { text, enc } = asText(bytes);
  return encode(edit(text, rng), enc);
};

// Numeric fields of the four sources (System: EventID, EventRecordID; NPS: ReasonCode; CA: RequestId,
// Disposition; IIS 6200: time-taken, sc-status).
const NUMERIC_FIELDS = [
  'EventID',
  'EventRecordID',
  'ReasonCode',
  'Disposition',
  'RequestId',
  'time-taken',
  'sc-status',
];
const WRONG_NUMBERS = [
  '',
  ' ',
  'abc',
  '-1',
  '-0',
  '1.5',
  '1e309',
  '99999999999999999999999',
  '0x1F',
  ' 12 ',
  'NaN',
  'Infinity',
  '١٢٣',
  '&#49;&#50;',
  '12abc',
  '-',
  '4294967296',
  '-9223372036854775809',
  '<![CDATA[7]]>',
];

/** Positions of every match of `re` in `text`. */
function matches(text, re) {
  return [...text.matchAll(re)];
}

/** Replace the value of one numeric field (element or Data) with a value of the wrong type. */
function wrongNumber(text, rng) {
  const name = rng.pick(NUMERIC_FIELDS);
  const bad = rng.pick(WRONG_NUMBERS);
  const el = new RegExp(`(<${name}(?:\\s[^>]*)?>)[^<]*(</${name}>)`, 'g');
  const data = new RegExp(`(<Data Name="${name}">)[^<]*(</Data>)`, 'g');
  const found = [...matches(text, el), ...matches(text, data)];
  if (found.length === 0) return text.replace(/(<EventID(?:\s[^>]*)?>)[^<]*(<\/EventID>)/, `$1${bad}$2`);
  const m = rng.pick(found);
  return `${text.slice(0, m.index)}${m[1]}${bad}${m[2]}${text.slice(m.index + m[0].length)}`;
}

const FIELD =
  /<Data Name="[^"]*">[^<]*<\/Data>|<Data Name="[^"]*"\s*\/>|<(EventID|EventRecordID|Channel|Computer|Provider|TimeCreated)\b[^>]*?(?:\/>|>[^<]*<\/\1>)/g;

/** Remove one field (a Data element or a System child). */
function removeField(text, rng) {
  const found = matches(text, FIELD);
  if (found.length === 0) return text;
  const m = rng.pick(found);
  return text.slice(0, m.index) + text.slice(m.index + m[0].length);
}

/** Duplicate one field in place (same name twice, or two System children of one kind). */
function duplicateField(text, rng) {
  const found = matches(text, FIELD);
  if (found.length === 0) return text;
  const m = rng.pick(found);
  const copy = rng.next() < 0.5 ? m[0] : m[0].replace(/>([^<]*)</, '>other$1<');
  return text.slice(0, m.index + m[0].length) + copy + text.slice(m.index + m[0].length);
}

/** Cut the file at a position of one kind: anywhere, after `<`, inside a quoted value, inside a tag name, mid code unit. */
function truncate(bytes, rng) {
  const kind = rng.int(5);
  const all = (b) => [...bytes.entries()].filter(([, v]) => v === b).map(([i]) => i);
  let at;
  if (kind === 0) at = rng.int(bytes.length + 1);
  else if (kind === 1) at = (rng.pick(all(0x3c)) ?? 0) + 1;
  else if (kind === 2) at = (rng.pick(all(0x22)) ?? 0) + 1 + rng.int(3);
  else if (kind === 3) at = (rng.pick(all(0x3c)) ?? 0) + 2 + rng.int(4);
  else at = rng.int(bytes.length) | 1; // odd offset: splits a UTF-16 code unit
  return bytes.subarray(0, Math.min(at, bytes.length));
}

/** Flip 1–8 random bytes. */
function flipBytes(bytes, rng) {
  const out = Buffer.from(bytes);
  const n = 1 + rng.int(8);
  for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)] ^= 1 + rng.int(255);
  return out;
}

// Byte sequences that are not UTF-8: lone continuation, overlong '/', encoded surrogate, truncated sequence, 0xFF.
const BAD_UTF8 = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xff],
  [0xc3, 0x28],
  [0xf4, 0x90, 0x80, 0x80],
];

/** Insert an invalid UTF-8 sequence at a random place (inside a value, a tag, or between events). */
function invalidUtf8(bytes, rng) {
  const at = rng.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(rng.pick(BAD_UTF8)), bytes.subarray(at)]);
}

/** Re-encode as UTF-16LE (with or without BOM) and break it: a lone surrogate, or an odd byte count. */
function brokenUtf16(bytes, rng) {
  const { text } = asText(bytes);
  const body = Buffer.from(text, 'utf16le');
  const unit = 2 * rng.int(body.length / 2 + 1);
  const bom = rng.next() < 0.5 ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0);
  const kind = rng.int(3);
  const insert = kind === 0 ? Buffer.from([0x00, 0xd8]) : kind === 1 ? Buffer.from([0x00, 0xdc]) : Buffer.from([0x41]);
  return Buffer.concat([bom, body.subarray(0, unit), insert, body.subarray(unit)]);
}

/** Put NUL characters into a value, a tag or between events. */
function nulBytes(bytes, rng) {
  const at = rng.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), Buffer.alloc(1 + rng.int(4)), bytes.subarray(at)]);
}

/** One file holding a UTF-8 part and a UTF-16LE part (or the reverse). */
function mixedEncodings(bytes, rng) {
  const { text } = asText(bytes);
  const cut = text.indexOf('<Event', 1 + rng.int(Math.max(1, text.length - 1)));
  const at = cut < 0 ? text.length >> 1 : cut;
  const first = rng.next() < 0.5;
  return Buffer.concat([
    Buffer.from(text.slice(0, at), first ? 'utf8' : 'utf16le'),
    Buffer.from(text.slice(at), first ? 'utf16le' : 'utf8'),
  ]);
}

const LOL =
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
const XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';

/** A DOCTYPE with billion-laughs or external entities, before the file, before an event or inside one, and used. */
function entityAttack(text, rng) {
  const decl = rng.next() < 0.5 ? LOL : XXE;
  const ref = decl === LOL ? '&lol3;' : '&xxe;';
  const where = rng.int(3);
  const used = text
    .replace(/<Data Name="([^"]*)">[^<]*<\/Data>/, `<Data Name="$1">${ref}</Data>`)
    .replace(/<Computer>[^<]*<\/Computer>/, rng.next() < 0.5 ? `<Computer>${ref}</Computer>` : '$&');
  if (where === 0) return decl + used;
  if (where === 1) return used.replace('<System>', `${decl}<System>`);
  const i = used.indexOf('<Event', 1);
  return i < 0 ? decl + used : used.slice(0, i) + decl + used.slice(i);
}

/** CDATA sections: around a value, holding markup, or unterminated. */
function cdata(text, rng) {
  const found = matches(text, /(<Data Name="[^"]*">)([^<]*)(<\/Data>)/g);
  if (found.length === 0) return text;
  const m = rng.pick(found);
  const kind = rng.int(3);
  const inner =
    kind === 0
      ? `<![CDATA[${m[2]}]]>`
      : kind === 1
        ? `<![CDATA[</Data></EventData></Event>${m[2]}]]>`
        : `<![CDATA[${m[2]}`;
  return `${text.slice(0, m.index)}${m[1]}${inner}${m[3]}${text.slice(m.index + m[0].length)}`;
}

/** A comment where Windows never writes one: inside a value, between System children, inside a tag, before root. */
function oddComment(text, rng) {
  const comments = ['<!-- x -->', '<!-- -- -->', '<!--', '<!-- </Event> -->', '<!---->'];
  const c = rng.pick(comments);
  const lts = matches(text, /</g);
  const m = rng.pick(lts);
  const at = m === undefined ? 0 : m.index + (rng.next() < 0.3 ? 2 : 0);
  return text.slice(0, at) + c + text.slice(at);
}

/** Two events with the same computer, channel and EventRecordID: once the same, once with other content. */
function duplicateEvent(text, rng) {
  const events = matches(text, /<Event[\s>][\s\S]*?<\/Event>/g);
  const m = rng.pick(events);
  if (m === undefined) return text;
  const copy = rng.next() < 0.5 ? m[0] : m[0].replace(/(<Data Name="[^"]*">)([^<]*)/, '$1changed-$2');
  return text.slice(0, m.index + m[0].length) + copy + text.slice(m.index + m[0].length);
}

/** Light mutations: any number of them run in the time budget. */
export const LIGHT_MUTATORS = {
  truncate,
  flipBytes,
  removeField: onText(removeField),
  duplicateField: onText(duplicateField),
  wrongNumber: onText(wrongNumber),
  invalidUtf8,
  brokenUtf16,
  nulBytes,
  mixedEncodings,
  entityAttack: onText(entityAttack),
  cdata: onText(cdata),
  oddComment: onText(oddComment),
  duplicateEvent: onText(duplicateEvent),
};

/** A 1 MB attribute value (Provider Name, Data Name or an unknown attribute). */
function hugeAttribute(text, rng) {
  const big = 'A'.repeat(1 << 20);
  const kind = rng.int(3);
  if (kind === 0) return text.replace(/<Provider Name="[^"]*"/, `<Provider Name="${big}"`);
  if (kind === 1) return text.replace(/<Data Name="[^"]*"/, `<Data Name="${big}"`);
  return text.replace('<Computer>', `<Computer Huge="${big}">`);
}

/** 10,000 Data elements in one EventData (named alike, named apart, or unnamed). */
function manyData(text, rng) {
  const kind = rng.int(3);
  const parts = [];
  for (let i = 0; i < 10_000; i++)
    parts.push(
      kind === 0 ? '<Data Name="X">1</Data>' : kind === 1 ? `<Data Name="F${i}">${i}</Data>` : `<Data>${i}</Data>`,
    );
  return text.replace('<EventData>', `<EventData>${parts.join('')}`);
}

/** 10,000 nested elements inside the event (EventData, UserData, or a value). */
function deepNesting(text, rng) {
  const depth = 10_000;
  const open = '<a>'.repeat(depth);
  const close = '</a>'.repeat(depth);
  const kind = rng.int(3);
  if (kind === 0) return text.replace('<EventData>', `<EventData>${open}${close}`);
  if (kind === 1) return text.replace('</System>', `</System><UserData>${open}${close}</UserData>`);
  return text.replace(/<Data Name="[^"]*">/, `$&${open}${close}`);
}

/** Heavy mutations: a few per run (each makes a megabyte-scale or 10k-element case). */
export const HEAVY_MUTATORS = {
  hugeAttribute: onText(hugeAttribute),
  manyData: onText(manyData),
  deepNesting: onText(deepNesting),
};

/** Every mutator by name. */
export const MUTATORS = { ...LIGHT_MUTATORS, ...HEAVY_MUTATORS };

/** Apply 1–`maxSteps` light mutations chosen by the rng (stacked mutations reach odder states). */
export function mutateLight(bytes, rng, maxSteps = 3) {
  const names = Object.keys(LIGHT_MUTATORS);
  const applied = [];
  let out = bytes;
  const steps = 1 + rng.int(maxSteps);
  for (let i = 0; i < steps; i++) {
    const name = rng.pick(names);
    applied.push(name);
    out = LIGHT_MUTATORS[name](out, rng);
  }
  return { bytes: out, applied };
}
