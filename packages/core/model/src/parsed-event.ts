/**
 * ① An event as the Windows Event XML schema renders it, decoded but not interpreted: the `<System>` fields and the
 * `<EventData>` (or `<UserData>`) values. Produced alike by the XML reader and the binary .evtx reader.
 */
export interface ParsedEvent {
  readonly provider: string;
  /** Lower-case GUID with braces, or null when the provider has none (classic sources such as `NPS`). */
  readonly providerGuid: string | null;
  readonly eventId: number;
  readonly qualifiers: number | null;
  readonly version: number | null;
  readonly level: number | null;
  readonly task: number | null;
  readonly keywords: string | null;
  /** `TimeCreated/@SystemTime` exactly as written. */
  readonly systemTime: string;
  readonly recordId: number;
  readonly channel: string;
  readonly computer: string;
  /** `<Data Name="x">` values by name (entities decoded; an empty element is ""). */
  readonly data: Readonly<Record<string, string>>;
  /** Every `<Data>` value in document order, named or not (classic events such as NPS 4402 have no names). */
  readonly dataList: readonly string[];
}

/** The field names of ParsedEvent, in a stable order (used by differential tests of the two parsers). */
export const parsedEventFields: readonly (keyof ParsedEvent)[] = Object.freeze([
  'provider',
  'providerGuid',
  'eventId',
  'qualifiers',
  'version',
  'level',
  'task',
  'keywords',
  'systemTime',
  'recordId',
  'channel',
  'computer',
  'data',
  'dataList',
]);

/** The `<System>` children whose text a ParsedEvent keeps (both readers: the XML scanner and the .evtx templates). */
export const SYSTEM_TEXT_ELEMENTS = Object.freeze([
  'EventID',
  'Version',
  'Level',
  'Task',
  'Keywords',
  'EventRecordID',
  'Channel',
  'Computer',
] as const);
