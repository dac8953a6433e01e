import { fail, ok, type ParsedEvent, type Result } from '@otptrace/model';

/** What either parser collects from an event before it is checked and typed. */
export interface RawEventFields {
  /** Text of `<System>` children by element name. */
  system: Record<string, string>;
  /** Attributes of `<System>` children, keyed `Element@attribute` (e.g. `Provider@Name`); the scanner keeps only those read here. */
  attrs: Record<string, string>;
  /** Named values; a null-prototype object, so a Data Name such as `__proto__` is an ordinary key. */
  data: Record<string, string>;
  dataList: string[];
  /** The first `<Data Name>` that appeared twice, if any. */
  duplicateName: string | null;
}

const DIGITS = /^[0-9]+$/;

/** Empty fields for a parser to fill. */
export function emptyFields(): RawEventFields {
  return {
    system: {},
    attrs: {},
    data: Object.create(null) as Record<string, string>,
    dataList: [],
    duplicateName: null,
  };
}

/** Check and type the collected fields: the one place both parsers build a ParsedEvent, so their outputs agree. */
export function buildParsedEvent(f: RawEventFields): Result<ParsedEvent> {
  const provider = f.attrs['Provider@Name']?.trim() ?? '';
  if (provider === '') return fail('missing_field', 'System/Provider has no Name', 'System.Provider.Name');
  const eventIdText = f.system.EventID?.trim() ?? '';
  if (!DIGITS.test(eventIdText) || Number(eventIdText) > 65535)
    return fail(
      eventIdText === '' ? 'missing_field' : 'invalid_field',
      `EventID is not a number (${eventIdText.length} characters)`,
      'System.EventID',
    );
  const systemTime = f.attrs['TimeCreated@SystemTime']?.trim() ?? '';
  if (systemTime === '') return fail('missing_field', 'TimeCreated has no SystemTime', 'System.TimeCreated.SystemTime');
  const recordText = f.system.EventRecordID?.trim() ?? '';
  if (!DIGITS.test(recordText) || recordText.length > 15)
    return fail(
      recordText === '' ? 'missing_field' : 'invalid_field',
      `EventRecordID is not a number (${recordText.length} characters)`,
      'System.EventRecordID',
    );
  const channel = f.system.Channel?.trim() ?? '';
  if (channel === '') return fail('missing_field', 'System/Channel is missing', 'System.Channel');
  const computer = f.system.Computer?.trim() ?? '';
  if (computer === '') return fail('missing_field', 'System/Computer is missing', 'System.Computer');
  if (f.duplicateName !== null)
    return fail('invalid_field', `<Data Name="${f.duplicateName}"> appears twice`, `EventData.${f.duplicateName}`);
  const guid = f.attrs['Provider@Guid']?.trim().toLowerCase() ?? '';
  return ok({
    provider,
    providerGuid: guid === '' ? null : guid.startsWith('{') ? guid : `{${guid}}`,
    eventId: Number(eventIdText),
    qualifiers: optionalInt(f.attrs['EventID@Qualifiers']),
    version: optionalInt(f.system.Version),
    level: optionalInt(f.system.Level),
    task: optionalInt(f.system.Task),
    keywords: f.system.Keywords?.trim() || null,
    systemTime,
    recordId: Number(recordText),
    channel,
    computer,
    data: f.data,
    dataList: f.dataList,
  });
}

function optionalInt(text: string | undefined): number | null {
  const t = text?.trim() ?? '';
  return DIGITS.test(t) ? Number(t) : null;
}
