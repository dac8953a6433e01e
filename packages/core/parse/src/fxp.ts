import { fail, type ParsedEvent, type Result } from '@otptrace/model';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeEntities } from './entities.js';
import { buildParsedEvent, emptyFields, type RawEventFields } from './fields.js';
import { findForbiddenCharacter, forbiddenCharacterReason } from './xml-chars.js';

// The reference parser: fast-xml-parser, for the differential tests that the scanner and it agree. Its own entry
// point (`@otptrace/parse/fxp`), so that no service or command loads fast-xml-parser (~40 ms of every start-up).
// Entities: only the predefined ones and character references (no DOCTYPE processing).
// fast-xml-parser is given raw values (processEntities off) because with htmlEntities off it leaves numeric
// character references such as &#233; undecoded; decodeEntities applies the XML rules to every value instead.

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  preserveOrder: true,
  textNodeName: '#text',
});

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Parse one `<Event>` element's text with fast-xml-parser into a ParsedEvent. */
export function parseEventWithFxp(text: string): Result<ParsedEvent> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return fail('forbidden_markup', 'DOCTYPE or entity declaration refused');
  const forbidden = findForbiddenCharacter(text);
  if (forbidden !== null) return fail('forbidden_character', forbiddenCharacterReason(forbidden));
  const valid = XMLValidator.validate(text);
  if (valid !== true) return fail('malformed_xml', `not well-formed XML: ${valid.err.msg}`);
  let doc: Node[];
  try {
    doc = parser.parse(text) as Node[];
  } catch (e) {
    return fail('malformed_xml', `not well-formed XML: ${(e as Error).message}`);
  }
  const roots = doc.filter((n) => !('#text' in n));
  const event = roots[0];
  if (roots.length !== 1 || event === undefined || !('Event' in event))
    return fail('malformed_xml', 'the document is not one <Event> element');
  const fields = emptyFields();
  if (!decodeTree(event)) return fail('malformed_xml', 'undefined entity');
  for (const section of children(event, 'Event')) {
    if ('System' in section) collectSystem(children(section, 'System'), fields);
    else if ('EventData' in section) collectEventData(children(section, 'EventData'), fields);
    else if ('UserData' in section) collectUserData(children(section, 'UserData'), fields);
  }
  return buildParsedEvent(fields);
}

/** Decode entities in every text and attribute value in place; false when one is undefined. */
function decodeTree(node: Node): boolean {
  for (const [key, value] of Object.entries(node)) {
    if (key === ':@') {
      for (const [k, v] of Object.entries(value as Record<string, string>)) {
        const d = decodeEntities(v);
        if (d === null) return false;
        (value as Record<string, string>)[k] = d;
      }
    } else if (key === '#text') {
      const d = decodeEntities(String(value));
      if (d === null) return false;
      node[key] = d;
    } else if (Array.isArray(value)) {
      for (const child of value as Node[]) if (!decodeTree(child)) return false;
    }
  }
  return true;
}

function children(node: Node, name: string): Node[] {
  const value = node[name];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function elementName(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

function textOf(node: Node, name: string): string {
  return children(node, name)
    .map((c) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join('');
}

function collectSystem(nodes: Node[], f: RawEventFields): void {
  for (const node of nodes) {
    const name = elementName(node);
    if (name === undefined) continue;
    for (const [k, v] of Object.entries(node[':@'] ?? {})) f.attrs[`${name}@${k.slice(1)}`] = v;
    f.system[name] = textOf(node, name);
  }
}

function collectEventData(nodes: Node[], f: RawEventFields): void {
  for (const node of nodes) {
    if (elementName(node) !== 'Data') continue;
    const value = textOf(node, 'Data');
    f.dataList.push(value);
    const key = node[':@']?.['@Name'];
    if (key === undefined) continue;
    if (key in f.data) f.duplicateName ??= key;
    else f.data[key] = value;
  }
}

function collectUserData(nodes: Node[], f: RawEventFields): void {
  for (const wrapper of nodes) {
    const wrapperName = elementName(wrapper);
    if (wrapperName === undefined) continue;
    for (const node of children(wrapper, wrapperName)) {
      const name = elementName(node);
      if (name === undefined) continue;
      const value = textOf(node, name);
      f.dataList.push(value);
      if (name in f.data) f.duplicateName ??= name;
      else f.data[name] = value;
    }
  }
}
