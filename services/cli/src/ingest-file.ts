import type { NormalizeContext } from '@otptrace/normalize';
import { type IngestItem, XmlIngestor } from '@otptrace/pipeline';
import type { NormalizedEvent, Rejection } from '@otptrace/schemas';
import { isEvtxFile, readEvtxFile } from './evtx-input.js';
import { readChunks } from './inputs.js';

/** What ingesting one file gives: kept events, rejections, and ignored events counted by reason. */
export interface IngestedFile {
  events: NormalizedEvent[];
  rejected: Omit<Rejection, 'file'>[];
  ignoredBy: Record<string, number>;
  bytes: number;
}

/** Read one file (.evtx or EVTX-XML, by its first bytes) and fold its ingest items; `onBytes` reports progress. */
export async function ingestFile(
  path: string,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onBytes: (n: number) => void = () => {},
): Promise<IngestedFile> {
  const out: IngestedFile = { events: [], rejected: [], ignoredBy: {}, bytes: 0 };
  const take = (items: IngestItem[]): void => {
    for (const item of items) {
      if (item.type === 'event') out.events.push(item.event);
      else if (item.type === 'ignored') out.ignoredBy[item.reason] = (out.ignoredBy[item.reason] ?? 0) + 1;
      else out.rejected.push({ position: item.position, reason: item.reason, code: item.code });
    }
  };
  if (await isEvtxFile(path)) {
    for await (const items of readEvtxFile(path, ctx)) take(items);
    return out;
  }
  const ingestor = new XmlIngestor(ctx, { maxEventBytes });
  for await (const chunk of readChunks(path)) {
    take(ingestor.push(chunk));
    out.bytes += chunk.length;
    onBytes(chunk.length);
  }
  take(ingestor.end());
  return out;
}
