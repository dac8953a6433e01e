import { XMLParser } from 'fast-xml-parser';
import { type FleetChunk, type FleetLogOptions, type FleetSummary, generateFleetLogs } from '../src/index.js';

/** Every file's whole text, and the generator's summary. */
export function generateToMemory(options: Partial<FleetLogOptions>): {
  files: Record<string, string>;
  summary: FleetSummary;
} {
  const parts: Record<string, string[]> = {};
  const it = generateFleetLogs(options);
  let step: IteratorResult<FleetChunk, FleetSummary> = it.next();
  for (; step.done !== true; step = it.next()) {
    const list = parts[step.value.file] ?? [];
    list.push(step.value.text);
    parts[step.value.file] = list;
  }
  const files = Object.fromEntries(Object.entries(parts).map(([f, p]) => [f, p.join('')]));
  return { files, summary: step.value };
}

/** One event, as the tests read it back with fast-xml-parser. */
export interface ReadEvent {
  readonly file: string;
  readonly eventId: number;
  readonly computer: string;
  readonly channel: string;
  /** Epoch ms of TimeCreated (ms precision). */
  readonly time: number;
  readonly data: Record<string, string>;
  /** Unnamed Data values, in order (classic providers' System events, e.g. NPS 4402, 13, 14). */
  readonly unnamed: readonly string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (n) => n === 'Event' || n === 'Data',
});

/** The parts of fast-xml-parser's object for one event that the tests read. */
interface FxpEvent {
  readonly System: {
    readonly EventID: string | { readonly '#text': string };
    readonly Computer: string;
    readonly Channel: string;
    readonly TimeCreated: { readonly '@SystemTime': string };
  };
  readonly EventData?: { readonly Data?: (string | Record<string, string>)[] };
}

/** Parse a generated file (an `<Events>` document) into flat events. */
export function readEvents(file: string, xml: string): ReadEvent[] {
  const doc = parser.parse(xml) as { Events: { Event?: FxpEvent[] } };
  return (doc.Events.Event ?? []).map((e) => {
    const sys = e.System;
    const data: Record<string, string> = {};
    const unnamed: string[] = [];
    for (const d of (e.EventData?.Data ?? []) as (Record<string, string> | string)[]) {
      if (typeof d === 'object' && d['@Name'] !== undefined) data[d['@Name']] = String(d['#text'] ?? '');
      else unnamed.push(typeof d === 'object' ? String(d['#text'] ?? '') : d);
    }
    const id = typeof sys.EventID === 'object' ? sys.EventID['#text'] : sys.EventID;
    return {
      file,
      eventId: Number(id),
      computer: String(sys.Computer),
      channel: String(sys.Channel),
      time: Date.parse(String(sys.TimeCreated['@SystemTime']).replace(/(\.\d{3})\d*Z$/, '$1Z')),
      data,
      unnamed,
    };
  });
}
