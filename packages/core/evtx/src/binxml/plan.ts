import { SYSTEM_TEXT_ELEMENTS } from '@otptrace/model';
import type { ElementNode, SubstitutionNode, TemplateNode } from './nodes.js';
import { entityText } from './resolve.js';

/**
 * Where each ParsedEvent field of a template's records comes from: literal text and substitution numbers, read from
 * the template definition once per chunk. With it a record's fields are read straight from its substitution values,
 * without building its XML tree (`direct.ts`). Templates of any other shape get no plan and take the general path.
 */
export interface TemplatePlan {
  /** `System/Provider/@Name` and the other System attributes; null when the template has no such attribute. */
  readonly providerName: TextSource | null;
  readonly providerGuid: TextSource | null;
  readonly qualifiers: TextSource | null;
  readonly systemTime: TextSource | null;
  /** Text of `System/EventID` and the other System elements; null when the template has no such element. */
  readonly eventId: TextSource | null;
  readonly version: TextSource | null;
  readonly level: TextSource | null;
  readonly task: TextSource | null;
  readonly keywords: TextSource | null;
  readonly recordId: TextSource | null;
  readonly channel: TextSource | null;
  readonly computer: TextSource | null;
  /** The children of `<Event>` that can hold the event's values, in document order. */
  readonly body: readonly BodySlot[];
  /** Every substitution number the template uses anywhere (each value the general path would render). */
  readonly used: readonly number[];
  /**
   * Substitutions that are `<Event>` or `<UserData>` content: a BinXML value there is a nested fragment (the
   * `EventData` of classic events, the `UserData` payload of others).
   */
  readonly nested: ReadonlySet<number>;
  /** The `spread` substitutions of its values (where a string array is read as one value per string). */
  readonly spread: ReadonlySet<number>;
}

/** A text as pieces: literal text, or a substitution (rendered, or nothing when its value is null). */
export type TextSource = readonly (string | SubstitutionNode)[];

/** `<EventData>`: its `<Data>` elements; `<UserData>`: its payload's fields; or a substitution of `<Event>` content. */
export type BodySlot =
  | { readonly kind: 'eventData'; readonly data: readonly DataPlan[] }
  | { readonly kind: 'userData'; readonly fields: readonly DataPlan[] | null }
  | { readonly kind: 'nested'; readonly index: number }
  | { readonly kind: 'nestedUserData'; readonly index: number };

/** One value: its name (the `Name` attribute, or a UserData field's element name; null when unnamed) and its text. */
export interface DataPlan {
  readonly name: TextSource | string | null;
  readonly value: TextSource;
  /**
   * The substitution that is the whole text of the value, when the template uses it nowhere else and the name is
   * literal (or absent); else -1. An array value there makes one value per item, as Windows repeats `<Data>` per
   * string of a string array.
   */
  readonly spread: number;
}

/**
 * A nested fragment's template (a BinXML value standing for `<EventData>` or a `<UserData>` payload): its one
 * top-level element, whose child elements are the values, read as EventData's or as a UserData payload's.
 */
export interface NestedPlan {
  readonly root: string;
  /** The children as `<EventData>` values (its `<Data>` elements; null when the root is another element). */
  readonly eventData: readonly DataPlan[] | null;
  /** The same children as the fields of a `<UserData>` payload (named by element). */
  readonly userData: readonly DataPlan[];
  readonly used: readonly number[];
  readonly nested: ReadonlySet<number>;
  /** The `spread` substitutions of its values (where a string array is read as one value per string). */
  readonly spread: ReadonlySet<number>;
}

const SYSTEM_TEXT: readonly string[] = SYSTEM_TEXT_ELEMENTS;

/** Not a shape the plan covers: the general path reads such records. One instance, thrown without a stack trace. */
const UNPLANNED = Symbol('unplanned');

/** The plan of a template definition's nodes, or null when its records must go through the XML tree. */
export function planTemplate(template: readonly TemplateNode[]): TemplatePlan | null {
  try {
    return compile(template);
  } catch (error) {
    if (error === UNPLANNED) return null;
    throw error;
  }
}

/** The plan of a nested fragment's template, or null when it is another shape. */
export function planNested(template: readonly TemplateNode[]): NestedPlan | null {
  try {
    const elements = template.filter((node) => node.kind === 'element');
    if (elements.length !== 1 || template.some((node) => node.kind === 'substitution' || node.kind === 'instance'))
      return null;
    const root = elements[0] as ElementNode;
    const used: number[] = [];
    collectSubstitutions(template, used);
    const children: { element: string; name: TextSource | string | null; value: TextSource }[] = [];
    for (const child of root.children) {
      if (child.kind === 'substitution' || child.kind === 'instance') return null;
      if (child.kind === 'element')
        children.push({ element: child.name, name: dataName(child), value: textSource(child) });
    }
    const eventData =
      root.name === 'EventData'
        ? children.filter((c) => c.element === 'Data').map((c) => dataPlan(c.name, c.value, used))
        : null;
    const userData = children.map((c) => dataPlan(c.element, c.value, used));
    return {
      root: root.name,
      eventData,
      userData,
      used: [...new Set(used)],
      nested: new Set(),
      spread: spreadOf([eventData, userData]),
    };
  } catch (error) {
    if (error === UNPLANNED) return null;
    throw error;
  }
}

function compile(template: readonly TemplateNode[]): TemplatePlan {
  // The record's event is the first element of the template; text before it is dropped, anything else is not planned.
  let event: ElementNode | undefined;
  for (const node of template) {
    if (node.kind === 'element') {
      event = node;
      break;
    }
    if (node.kind !== 'text' && node.kind !== 'charRef' && node.kind !== 'entityRef') throw UNPLANNED;
  }
  if (event === undefined || event.name !== 'Event') throw UNPLANNED;
  const used: number[] = [];
  collectSubstitutions(template, used);
  const nested = new Set<number>();
  const body: BodySlot[] = [];
  let system: ElementNode | undefined;
  for (const child of event.children) {
    if (child.kind === 'element') {
      if (child.name === 'System') system ??= child;
      else if (child.name === 'EventData') body.push({ kind: 'eventData', data: eventDataPlan(child, used) });
      else if (child.name === 'UserData') body.push(userDataPlan(child, nested, used));
    } else if (child.kind === 'substitution') {
      // A substitution before System could itself hold a System element: only planned after it.
      if (system === undefined) throw UNPLANNED;
      nested.add(child.index);
      body.push({ kind: 'nested', index: child.index });
    } else if (child.kind === 'instance') throw UNPLANNED;
  }
  if (system === undefined) throw UNPLANNED;
  // A nested value used anywhere else would be rendered there as BinXML too: not planned.
  for (const index of nested) if (used.filter((i) => i === index).length > 1) throw UNPLANNED;
  const texts = new Map<string, TextSource>();
  const elements = new Map<string, ElementNode>();
  for (const child of system.children) {
    if (child.kind === 'substitution' || child.kind === 'instance') throw UNPLANNED;
    if (child.kind !== 'element' || elements.has(child.name)) continue;
    elements.set(child.name, child);
    if (SYSTEM_TEXT.includes(child.name)) texts.set(child.name, textSource(child));
  }
  const provider = elements.get('Provider');
  const eventId = elements.get('EventID');
  const timeCreated = elements.get('TimeCreated');
  return {
    providerName: attributeSource(provider, 'Name'),
    providerGuid: attributeSource(provider, 'Guid'),
    qualifiers: attributeSource(eventId, 'Qualifiers'),
    systemTime: attributeSource(timeCreated, 'SystemTime'),
    eventId: texts.get('EventID') ?? null,
    version: texts.get('Version') ?? null,
    level: texts.get('Level') ?? null,
    task: texts.get('Task') ?? null,
    keywords: texts.get('Keywords') ?? null,
    recordId: texts.get('EventRecordID') ?? null,
    channel: texts.get('Channel') ?? null,
    computer: texts.get('Computer') ?? null,
    body,
    used: [...new Set(used)],
    nested,
    spread: spreadOf(
      body.map((slot) => (slot.kind === 'eventData' ? slot.data : slot.kind === 'userData' ? slot.fields : null)),
    ),
  };
}

function collectSubstitutions(nodes: readonly TemplateNode[], out: number[]): void {
  for (const node of nodes) {
    if (node.kind === 'substitution') out.push(node.index);
    else if (node.kind === 'instance') throw UNPLANNED;
    else if (node.kind === 'element') {
      for (const attribute of node.attributes) collectSubstitutions(attribute.value, out);
      collectSubstitutions(node.children, out);
    }
  }
}

function eventDataPlan(eventData: ElementNode, used: readonly number[]): DataPlan[] {
  const data: DataPlan[] = [];
  for (const child of eventData.children) {
    if (child.kind === 'substitution' || child.kind === 'instance') throw UNPLANNED;
    if (child.kind === 'element' && child.name === 'Data')
      data.push(dataPlan(dataName(child), textSource(child), used));
  }
  return data;
}

function userDataPlan(userData: ElementNode, nested: Set<number>, used: readonly number[]): BodySlot {
  let payload: ElementNode | undefined;
  for (const child of userData.children) {
    if (child.kind === 'instance') throw UNPLANNED;
    if (child.kind === 'substitution') {
      // `<UserData>%n</UserData>`: the payload is the first element of a nested fragment.
      if (userData.children.some((other) => other !== child && other.kind !== 'text')) throw UNPLANNED;
      nested.add(child.index);
      return { kind: 'nestedUserData', index: child.index };
    }
    if (child.kind === 'element') {
      payload = child;
      break;
    }
  }
  if (payload === undefined) return { kind: 'userData', fields: null };
  const fields: DataPlan[] = [];
  for (const child of payload.children) {
    if (child.kind === 'substitution' || child.kind === 'instance') throw UNPLANNED;
    if (child.kind === 'element') fields.push(dataPlan(child.name, textSource(child), used));
  }
  return { kind: 'userData', fields };
}

function spreadOf(lists: readonly (readonly DataPlan[] | null)[]): Set<number> {
  const spread = new Set<number>();
  for (const list of lists) if (list !== null) for (const data of list) if (data.spread >= 0) spread.add(data.spread);
  return spread;
}

/** One value's plan; `used` lists every substitution of the template, once per use. */
function dataPlan(name: TextSource | string | null, value: TextSource, used: readonly number[]): DataPlan {
  const only = value.length === 1 ? value[0] : undefined;
  const spread =
    only !== undefined &&
    typeof only !== 'string' &&
    (name === null || typeof name === 'string') &&
    used.indexOf(only.index) === used.lastIndexOf(only.index)
      ? only.index
      : -1;
  return { name, value, spread };
}

/**
 * A `<Data>` element's `Name`: as one string when it is literal text (nearly always), so that the reader takes it as
 * it is; as its pieces when a substitution makes it up.
 */
function dataName(element: ElementNode): TextSource | string | null {
  const source = attributeSource(element, 'Name');
  if (source === null) return null;
  let text = '';
  for (const part of source) {
    if (typeof part !== 'string') return source;
    text += part;
  }
  return text;
}

/** An element's direct text; child elements inside a value are not planned. */
function textSource(element: ElementNode): TextSource {
  return literalOrSubstitutions(element.children);
}

/** The attribute's value, or null when the element or the attribute is absent (or named twice). */
function attributeSource(element: ElementNode | undefined, name: string): TextSource | null {
  if (element === undefined) return null;
  const matching = element.attributes.filter((a) => a.name === name);
  if (matching.length > 1) throw UNPLANNED;
  const attribute = matching[0];
  return attribute === undefined ? null : literalOrSubstitutions(attribute.value);
}

function literalOrSubstitutions(nodes: readonly TemplateNode[]): TextSource {
  const parts: (string | SubstitutionNode)[] = [];
  for (const node of nodes) {
    if (node.kind === 'substitution') parts.push(node);
    else if (node.kind === 'text') parts.push(node.text);
    else if (node.kind === 'charRef') parts.push(String.fromCharCode(node.code));
    else if (node.kind === 'entityRef') parts.push(entityText(node.name));
    else throw UNPLANNED;
  }
  return parts;
}
