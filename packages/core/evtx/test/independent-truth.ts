import { execFileSync, spawnSync } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';

// The independent renderer: libevtx's `evtxexport` (Debian package libevtx-utils), a C implementation written
// apart from this one. Installed on demand so a fresh CI machine (root, Debian apt reachable) runs the test too.

/** Makes sure `evtxexport` is on PATH, installing libevtx-utils with apt-get when it is not. */
export function ensureEvtxexport(): void {
  if (hasEvtxexport()) return;
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'libevtx-utils'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!hasEvtxexport()) throw new Error('evtxexport is still missing after installing libevtx-utils');
}

function hasEvtxexport(): boolean {
  return spawnSync('evtxexport', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** evtxexport's XML rendering of every record of `file`, and whether it finished (it stops at records it cannot read). */
export function exportWithLibevtx(file: string): { xml: string; complete: boolean } {
  const run = spawnSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { xml: run.stdout, complete: run.status === 0 };
}

/** One `<Event>` of the independent rendering, reduced to the fields a ParsedEvent carries, as libevtx wrote them. */
export interface TruthEvent {
  readonly system: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
  readonly dataList: readonly string[];
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string>; '#text'?: string };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
});

/** Splits evtxexport's output into events (it prints a banner line, then the events separated by blank lines). */
export function parseLibevtxXml(xml: string): TruthEvent[] {
  const body = xml.slice(Math.max(0, xml.indexOf('<Event')));
  // evtxexport writes carriage returns raw; an XML parser would fold CR LF to LF, so they are kept as references.
  const tree = parser.parse(`<Events>${body.replaceAll('\r', '&#13;')}</Events>`) as OrderedNode[];
  const events = children(tree[0] as OrderedNode, 'Events').filter((node) => tagOf(node) === 'Event');
  return events.map(toTruth);
}

function toTruth(event: OrderedNode): TruthEvent {
  const system: Record<string, string> = {};
  const data: Record<string, string> = {};
  const dataList: string[] = [];
  for (const node of children(event, 'Event')) {
    const tag = tagOf(node);
    if (tag === 'System') {
      for (const field of children(node, 'System')) {
        const name = tagOf(field);
        if (name === undefined) continue;
        system[name] = text(field, name);
        for (const [attribute, value] of Object.entries(field[':@'] ?? {})) system[`${name}/@${attribute}`] = value;
      }
    } else if (tag === 'EventData') {
      for (const item of children(node, 'EventData')) {
        if (tagOf(item) !== 'Data') continue;
        const value = text(item, 'Data');
        dataList.push(value);
        const name = item[':@']?.Name;
        if (name !== undefined) data[name] = value;
      }
    } else if (tag === 'UserData') {
      const payload = children(node, 'UserData').find((n) => tagOf(n) !== undefined);
      if (payload !== undefined) {
        const payloadTag = tagOf(payload) as string;
        for (const item of children(payload, payloadTag)) {
          const name = tagOf(item);
          if (name === undefined) continue;
          data[name] = text(item, name);
          dataList.push(data[name]);
        }
      }
    }
  }
  return { system, data, dataList };
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

function children(node: OrderedNode, tag: string): OrderedNode[] {
  return (node[tag] as OrderedNode[] | undefined) ?? [];
}

/** An element's own text; the indentation evtxexport adds around child elements is not text of the element. */
function text(node: OrderedNode, tag: string): string {
  const parts = children(node, tag);
  if (parts.some((part) => tagOf(part) !== undefined)) return '';
  return parts.map((part) => String(part['#text'] ?? '')).join('');
}
