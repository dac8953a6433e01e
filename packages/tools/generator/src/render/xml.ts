/**
 * Event XML rendering in the shapes Windows really produces. The variations come from the samples in
 * test/fixtures/windows-samples (see docs/windows-events.md §8): `'` vs `"` quoting (nps-6272-1 vs adcs-4886-1), upper vs lower
 * GUID case, one-line (nps-6272-1, wevtutil) vs indented (security-4624-renderinginfo) vs Event Viewer copies with a
 * space before `/>` and trailing spaces (adcs-4886-1), and 7 vs 9 fractional digits in SystemTime (nps-4402-1).
 */

/** How one event is written out. */
export interface RenderStyle {
  readonly quote: "'" | '"';
  readonly layout: 'compact' | 'indented' | 'viewer';
  readonly upperGuid: boolean;
  readonly fractionDigits: 7 | 9;
}

/** The `<System>` block of an event. */
export interface SystemFields {
  readonly provider: string;
  readonly guid?: string;
  readonly eventSourceName?: string;
  readonly eventId: number;
  readonly qualifiers?: number;
  readonly version?: number;
  readonly level: number;
  readonly task: number;
  readonly opcode?: number;
  readonly keywords: string;
  /** Epoch milliseconds on the writing host's clock. */
  readonly time: number;
  /** 100-ns ticks within the millisecond (0–9999). */
  readonly ticks: number;
  readonly recordId: number;
  readonly activityId?: string;
  /** Classic (non-manifest) providers, e.g. System `NPS` 4402 (sample nps-4402-1), write no `<Correlation>`. */
  readonly classic?: boolean;
  readonly processId?: number;
  readonly threadId?: number;
  readonly channel: string;
  readonly computer: string;
  readonly userId?: string;
}

/** The body after `<System>`. */
export type EventBody =
  | { readonly kind: 'named'; readonly data: readonly (readonly [string, string])[]; readonly rendering?: string }
  | { readonly kind: 'unnamed'; readonly data: readonly string[]; readonly binary?: string }
  | { readonly kind: 'userdata'; readonly xml: string };

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/** Escape text content (the values we write never carry quotes inside attributes). */
export function escapeText(value: string): string {
  if (!/[&<>]/.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Windows SystemTime: ISO-8601 UTC with 7 (or 9) fractional digits. */
export function formatSystemTime(timeMs: number, ticks: number, digits: 7 | 9): string {
  const iso = new Date(Math.floor(timeMs)).toISOString();
  const tail = String(ticks).padStart(4, '0');
  return `${iso.slice(0, 23)}${tail}${digits === 9 ? '00' : ''}Z`;
}

function systemLines(sys: SystemFields, style: RenderStyle): string[] {
  const q = style.quote;
  const close = style.layout === 'compact' ? '/>' : ' />';
  const guid = sys.guid === undefined ? '' : ` Guid=${q}${style.upperGuid ? sys.guid.toUpperCase() : sys.guid}${q}`;
  const source = sys.eventSourceName === undefined ? '' : ` EventSourceName=${q}${sys.eventSourceName}${q}`;
  const qualifiers = sys.qualifiers === undefined ? '' : ` Qualifiers=${q}${sys.qualifiers}${q}`;
  const lines = [
    `<Provider Name=${q}${sys.provider}${q}${guid}${source}${close}`,
    `<EventID${qualifiers}>${sys.eventId}</EventID>`,
  ];
  if (sys.version !== undefined) lines.push(`<Version>${sys.version}</Version>`);
  lines.push(`<Level>${sys.level}</Level>`, `<Task>${sys.task}</Task>`);
  if (sys.opcode !== undefined) lines.push(`<Opcode>${sys.opcode}</Opcode>`);
  lines.push(
    `<Keywords>${sys.keywords}</Keywords>`,
    `<TimeCreated SystemTime=${q}${formatSystemTime(sys.time, sys.ticks, style.fractionDigits)}${q}${close}`,
    `<EventRecordID>${sys.recordId}</EventRecordID>`,
  );
  if (sys.classic !== true) {
    lines.push(
      sys.activityId === undefined
        ? `<Correlation${close}`
        : `<Correlation ActivityID=${q}${style.upperGuid ? sys.activityId.toUpperCase() : sys.activityId}${q}${close}`,
    );
  }
  if (sys.processId !== undefined) {
    lines.push(`<Execution ProcessID=${q}${sys.processId}${q} ThreadID=${q}${sys.threadId ?? 0}${q}${close}`);
  }
  lines.push(`<Channel>${sys.channel}</Channel>`, `<Computer>${sys.computer}</Computer>`);
  lines.push(sys.userId === undefined ? `<Security${close}` : `<Security UserID=${q}${sys.userId}${q}${close}`);
  return lines;
}

function bodyLines(body: EventBody, style: RenderStyle): { lines: string[]; open: string; closeTag: string } {
  const q = style.quote;
  if (body.kind === 'userdata') return { lines: [body.xml], open: '<UserData>', closeTag: '</UserData>' };
  const lines: string[] = [];
  if (body.kind === 'named') {
    for (const [name, value] of body.data) {
      // Event Viewer writes an empty value as a self-closed element (adcs-4886-1); wevtutil as an empty pair.
      if (value === '' && style.layout === 'viewer') lines.push(`<Data Name=${q}${name}${q} />`);
      else lines.push(`<Data Name=${q}${name}${q}>${escapeText(value)}</Data>`);
    }
  } else {
    for (const value of body.data) lines.push(`<Data>${escapeText(value)}</Data>`);
    if (body.binary !== undefined) lines.push(`<Binary>${body.binary}</Binary>`);
  }
  return { lines, open: '<EventData>', closeTag: '</EventData>' };
}

/** Render one whole `<Event>` element (no trailing newline). */
export function renderEvent(style: RenderStyle, sys: SystemFields, body: EventBody): string {
  const q = style.quote;
  const head = `<Event xmlns=${q}${EVENT_NS}${q}>`;
  const system = systemLines(sys, style);
  const { lines, open, closeTag } = bodyLines(body, style);
  const rendering = body.kind === 'named' ? body.rendering : undefined;
  if (style.layout === 'compact') {
    return `${head}<System>${system.join('')}</System>${open}${lines.join('')}${closeTag}${rendering ?? ''}</Event>`;
  }
  if (style.layout === 'indented') {
    return `${head}\n  <System>\n    ${system.join('\n    ')}\n  </System>\n  ${open}\n    ${lines.join('\n    ')}\n  ${closeTag}\n${
      rendering === undefined ? '' : `  ${rendering}\n`
    }</Event>`;
  }
  // Event Viewer "Copy details as XML": trailing space after each element, closing tags indented oddly.
  return `${head}\n<System>\n  ${system.join(' \n  ')} \n  </System>\n${open}\n  ${lines.join(' \n  ')} \n  ${closeTag}\n${
    rendering === undefined ? '' : `${rendering}\n`
  }  </Event>`;
}
