import type { DropReason, ParsedEvent } from '@otptrace/model';
import { attributeValue, childElement, textOf, type XmlElement } from './xml.js';

/** Why an event tree could not become a ParsedEvent. */
export interface EventShapeProblem {
  readonly code: DropReason;
  readonly reason: string;
}

/**
 * Maps a record's `<Event>` tree to the ParsedEvent the XML reader produces: the `<System>` fields (names per the
 * Windows Event XML schema, as in test/fixtures/windows-samples/*.xml) and the `<EventData>` `<Data>` values, or for
 * `<UserData>` events the values of the UserData child's child elements by element name.
 */
export function toParsedEvent(event: XmlElement): ParsedEvent | EventShapeProblem {
  if (event.name !== 'Event') return { code: 'not_an_event', reason: `root element is <${event.name}>, not <Event>` };
  const system = childElement(event, 'System');
  if (system === undefined) return missing('System');
  const providerElement = childElement(system, 'Provider');
  const provider = providerElement && attributeValue(providerElement, 'Name');
  if (provider === undefined) return missing('Provider/@Name');
  const eventIdElement = childElement(system, 'EventID');
  if (eventIdElement === undefined) return missing('EventID');
  const eventId = integer(textOf(eventIdElement));
  if (eventId === null) return { code: 'invalid_field', reason: `EventID "${textOf(eventIdElement)}" is not a number` };
  const timeCreated = childElement(system, 'TimeCreated');
  const systemTime = timeCreated && attributeValue(timeCreated, 'SystemTime');
  if (systemTime === undefined) return missing('TimeCreated/@SystemTime');
  const recordId = integer(optionalText(system, 'EventRecordID') ?? '');
  if (recordId === null) return missing('EventRecordID');
  const channel = optionalText(system, 'Channel');
  if (channel === undefined) return missing('Channel');
  const computer = optionalText(system, 'Computer');
  if (computer === undefined) return missing('Computer');
  const guid = providerElement && attributeValue(providerElement, 'Guid');
  return {
    provider,
    providerGuid: guid ? guid.toLowerCase() : null,
    eventId,
    qualifiers: integer(attributeValue(eventIdElement, 'Qualifiers') ?? ''),
    version: integer(optionalText(system, 'Version') ?? ''),
    level: integer(optionalText(system, 'Level') ?? ''),
    task: integer(optionalText(system, 'Task') ?? ''),
    keywords: optionalText(system, 'Keywords') ?? null,
    systemTime,
    recordId,
    channel,
    computer,
    ...eventValues(event),
  };
}

function missing(field: string): EventShapeProblem {
  return { code: 'missing_field', reason: `the event has no System ${field}` };
}

function optionalText(parent: XmlElement, name: string): string | undefined {
  const element = childElement(parent, name);
  return element === undefined ? undefined : textOf(element);
}

function integer(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * `data` by name and `dataList` in order from `<EventData>`'s `<Data>`, or, for `<UserData>`, from the payload
 * element's children by element name (as @otptrace/parse's scanEvent does with the same XML).
 */
function eventValues(event: XmlElement): EventValues {
  const eventData = childElement(event, 'EventData');
  if (eventData !== undefined) return eventDataValues(eventData);
  const userData = childElement(event, 'UserData');
  return userData === undefined ? { data: {}, dataList: [] } : userDataValues(userData);
}

/** The values of an event: by name, and in order. */
export type EventValues = Pick<ParsedEvent, 'data' | 'dataList'>;

/** The `<Data>` children of `<EventData>`: each value in order, and by its `Name` when it has one. */
export function eventDataValues(eventData: XmlElement): EventValues {
  const data: Record<string, string> = {};
  const dataList: string[] = [];
  for (const child of eventData.children) {
    if (typeof child === 'string' || child.name !== 'Data') continue;
    const value = textOf(child);
    dataList.push(value);
    const name = attributeValue(child, 'Name');
    if (name !== undefined) data[name] = value;
  }
  return { data, dataList };
}

/** The children of `<UserData>`'s payload element, by element name and in order. */
export function userDataValues(userData: XmlElement): EventValues {
  const payload = userData.children.find((child): child is XmlElement => typeof child !== 'string');
  return payload === undefined ? { data: {}, dataList: [] } : payloadValues(payload);
}

/** The child elements of a UserData payload element, by element name and in order. */
export function payloadValues(payload: XmlElement): EventValues {
  const data: Record<string, string> = {};
  const dataList: string[] = [];
  for (const child of payload.children) {
    if (typeof child === 'string') continue;
    const value = textOf(child);
    data[child.name] = value;
    dataList.push(value);
  }
  return { data, dataList };
}
