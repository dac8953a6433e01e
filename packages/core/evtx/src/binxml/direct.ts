import type { ParsedEvent } from '@otptrace/model';
import { u16, u32 } from '../bytes.js';
import { type EventValues, eventDataValues, payloadValues, userDataValues } from '../parsed-event.js';
import type { XmlElement } from '../xml.js';
import { type ChunkContext, decodeFragment, templateDefinition } from './decode.js';
import type { SubstitutionNode } from './nodes.js';
import {
  type BodySlot,
  type DataPlan,
  type NestedPlan,
  planNested,
  planTemplate,
  type TemplatePlan,
  type TextSource,
} from './plan.js';
import { resolveNodes } from './resolve.js';
import type { TemplateCache } from './template-cache.js';
import {
  TOKEN_EOF,
  TOKEN_FRAGMENT_HEADER,
  TOKEN_TEMPLATE_INSTANCE,
  VALUE_ARRAY_FLAG,
  VALUE_BINXML,
  VALUE_NULL,
  VALUE_STRING,
  VALUE_UINT8,
  VALUE_UINT16,
  VALUE_UINT32,
  VALUE_UINT64,
} from './tokens.js';
import { ALWAYS_RENDERABLE, renderable, renderScalar, renderValue } from './values.js';

/**
 * Reads a record's ParsedEvent straight from the substitution values of its template instance, by the template's
 * plan, without building its XML tree. Gives null whenever the record is not the plain case (no plan for its template,
 * an array or misplaced BinXML value, a value that would not render, a missing required field, bytes after the
 * instance): the caller then reads it through the general path, which also gives the exact rejection.
 * One reader per chunk: it keeps the chunk's plans, as the chunk context keeps its templates.
 */
export class DirectReader {
  private readonly plans = new Map<number, TemplatePlan | null>();
  private readonly nestedPlans = new Map<number, NestedPlan | null>();
  private readonly bytes: Uint8Array;
  // The current instance's values: type, offset and size of value i.
  private count = 0;
  private types = new Uint8Array(64);
  private offsets = new Int32Array(64);
  private sizes = new Int32Array(64);
  /** Reads nested fragments, whose values must not overwrite the record's own. */
  private inner: DirectReader | undefined;
  /** The last provider GUID and its lower-case form (records of a chunk mostly share their provider). */
  private guid = '';
  private guidLower = '';
  // The text last rendered for each substitution number, and where its bytes lie: records of a chunk repeat most
  // values (provider, channel, computer, SIDs, keywords), and equal bytes of the same type render to the same text.
  private readonly memoAt = new Int32Array(MEMO_SLOTS).fill(-1);
  private readonly memoSize = new Int32Array(MEMO_SLOTS);
  private readonly memoType = new Uint8Array(MEMO_SLOTS);
  private readonly memoText: string[] = new Array(MEMO_SLOTS).fill('');

  constructor(
    private readonly ctx: ChunkContext,
    /** Definitions (and their plans) of the file's earlier chunks. */
    private readonly cache?: TemplateCache,
  ) {
    this.bytes = ctx.bytes;
  }

  /** The event of the record's BinXML fragment in `[start, end)`, or null for the general path. */
  read(start: number, end: number): ParsedEvent | null {
    const definition = this.readInstance(start, end);
    if (definition < 0) return null;
    const plan = this.planAt(definition);
    if (plan === null || !this.valuesPlain(plan)) return null;
    try {
      return this.event(plan);
    } catch {
      return null; // a value that does not render: the general path reports it
    }
  }

  /**
   * Reads a fragment made of one template instance: returns its definition's offset, with its values read, or -1
   * when the fragment is anything else (the general decoder then takes it).
   */
  private readInstance(start: number, end: number): number {
    const b = this.bytes;
    let p = start;
    if (b[p] === TOKEN_FRAGMENT_HEADER) p += 4;
    if (b[p] !== TOKEN_TEMPLATE_INSTANCE || p + 14 > end) return -1;
    const definition = u32(b, p + 6);
    p += 10;
    if (definition === p) {
      if (p + 24 > end) return -1;
      p += 24 + u32(b, p + 20); // the definition follows inline: skip it
    }
    if (p + 4 > end) return -1;
    p = this.readValues(p, end);
    // After the instance only the end of the fragment may follow.
    return p < 0 || (p < end && b[p] !== TOKEN_EOF) ? -1 : definition;
  }

  private planAt(definition: number): TemplatePlan | null {
    let plan = this.plans.get(definition);
    if (plan === undefined) {
      const shared = this.cache?.definition(this.ctx, definition, 1);
      if (shared === undefined) plan = this.planOrNull(() => planTemplate(templateDefinition(this.ctx, definition, 1)));
      else {
        if (shared.plan === undefined) shared.plan = this.planOrNull(() => planTemplate(shared.nodes));
        plan = shared.plan;
      }
      this.plans.set(definition, plan);
    }
    return plan;
  }

  private nestedPlanAt(definition: number): NestedPlan | null {
    let plan = this.nestedPlans.get(definition);
    if (plan === undefined) {
      const shared = this.cache?.definition(this.ctx, definition, 2);
      if (shared === undefined) plan = this.planOrNull(() => planNested(templateDefinition(this.ctx, definition, 2)));
      else {
        if (shared.nested === undefined) shared.nested = this.planOrNull(() => planNested(shared.nodes));
        plan = shared.nested;
      }
      this.nestedPlans.set(definition, plan);
    }
    return plan;
  }

  private planOrNull<T>(plan: () => T | null): T | null {
    try {
      return plan();
    } catch {
      return null; // a damaged definition: the general path rejects its records
    }
  }

  /** Reads the substitution descriptors at `p`; returns where the values end, or -1 when they overrun `end`. */
  private readValues(p: number, end: number): number {
    const b = this.bytes;
    const count = u32(b, p);
    p += 4;
    if (p + count * 4 > end) return -1;
    if (count > this.types.length) {
      this.types = new Uint8Array(count);
      this.offsets = new Int32Array(count);
      this.sizes = new Int32Array(count);
    }
    let at = p + count * 4;
    for (let i = 0; i < count; i++) {
      const size = u16(b, p + i * 4);
      this.types[i] = b[p + i * 4 + 2] as number;
      this.offsets[i] = at;
      this.sizes[i] = size;
      at += size;
    }
    this.count = count;
    return at > end ? -1 : at;
  }

  /** No array value (Windows repeats the element per item), BinXML only where planned, every used value renders. */
  private valuesPlain(plan: TemplatePlan | NestedPlan): boolean {
    const used = plan.used;
    for (let i = 0; i < used.length; i++) {
      const index = used[i] as number;
      if (index >= this.count) continue;
      const type = this.types[index] as number;
      if (ALWAYS_RENDERABLE[type] === 1) continue;
      if ((type & VALUE_ARRAY_FLAG) !== 0) {
        // A string array (which always renders) where the plan reads it as one value per string; any other array
        // goes to the general path.
        if (type !== (VALUE_STRING | VALUE_ARRAY_FLAG) || !plan.spread.has(index)) return false;
        continue;
      }
      if (type === VALUE_BINXML) {
        if (!plan.nested.has(index)) return false;
      } else if (!renderable(this.bytes, type, this.offsets[index] as number, this.sizes[index] as number))
        return false;
    }
    return true;
  }

  private event(plan: TemplatePlan): ParsedEvent | null {
    const provider = this.attribute(plan.providerName);
    const eventId = this.integer(plan.eventId);
    const systemTime = this.attribute(plan.systemTime);
    const recordId = this.integer(plan.recordId);
    const channel = plan.channel === null ? undefined : this.text(plan.channel);
    const computer = plan.computer === null ? undefined : this.text(plan.computer);
    if (provider === undefined || eventId === null || systemTime === undefined || recordId === null) return null;
    if (channel === undefined || computer === undefined) return null;
    const guid = this.attribute(plan.providerGuid);
    const qualifiers = this.attribute(plan.qualifiers) === undefined ? null : this.integer(plan.qualifiers);
    const { data, dataList } = this.values(plan);
    return {
      provider,
      providerGuid: guid ? this.lowerCase(guid) : null,
      eventId,
      qualifiers,
      version: this.integer(plan.version),
      level: this.integer(plan.level),
      task: this.integer(plan.task),
      keywords: plan.keywords === null ? null : this.text(plan.keywords),
      systemTime,
      recordId,
      channel,
      computer,
      data,
      dataList,
    };
  }

  private lowerCase(guid: string): string {
    if (guid !== this.guid) {
      this.guid = guid;
      this.guidLower = guid.toLowerCase();
    }
    return this.guidLower;
  }

  /** `data` and `dataList` as the general path's `toParsedEvent` takes them from the resolved tree. */
  private values(plan: TemplatePlan): EventValues {
    // Nested fragments are all read first: the general path decodes them whichever element ends up used.
    const nested: Array<NestedValues | undefined> | undefined = plan.nested.size === 0 ? undefined : [];
    if (nested !== undefined)
      for (let i = 0; i < plan.body.length; i++) {
        const slot = plan.body[i] as BodySlot;
        if (slot.kind === 'nested') nested[i] = this.nestedValues(slot.index, 'event');
        else if (slot.kind === 'nestedUserData') nested[i] = this.nestedValues(slot.index, 'userData');
      }
    // The first EventData in document order wins; else the first UserData.
    let userData: EventValues | DataPlan[] | null | undefined;
    for (let i = 0; i < plan.body.length; i++) {
      const slot = plan.body[i] as BodySlot;
      if (slot.kind === 'eventData') return this.dataOf(slot.data);
      if (slot.kind === 'userData') userData ??= slot.fields as DataPlan[] | null;
      else {
        const found = nested?.[i] as NestedValues;
        if (found.eventData !== undefined) return found.eventData;
        userData ??= found.userData;
      }
    }
    if (userData === undefined || userData === null) return noValues();
    return Array.isArray(userData) ? this.dataOf(userData) : userData;
  }

  /**
   * What a BinXML value in `<Event>` content (`event`) or in `<UserData>` (`userData`: its first element is the
   * payload) contributes: read directly when its template has a nested plan, else through the general resolver.
   */
  private nestedValues(index: number, where: 'event' | 'userData'): NestedValues {
    if (index >= this.count || this.types[index] !== VALUE_BINXML) return where === 'event' ? {} : { userData: null };
    const at = this.offsets[index] as number;
    const end = at + (this.sizes[index] as number);
    this.inner ??= new DirectReader(this.ctx, this.cache);
    const direct = this.inner.nestedDirect(at, end, where);
    if (direct !== null) return direct;
    const elements = resolveNodes(this.ctx, decodeFragment(this.ctx, at, end, 1), 1).filter(
      (node): node is XmlElement => typeof node !== 'string',
    );
    if (where === 'userData') return { userData: elements[0] === undefined ? null : payloadValues(elements[0]) };
    const found: NestedValues = {};
    for (const element of elements) {
      if (element.name === 'EventData') return { eventData: eventDataValues(element) };
      if (element.name === 'UserData') found.userData ??= userDataValues(element);
    }
    return found;
  }

  /** A nested fragment read by its plan: `<EventData>` as Event content, or any payload in UserData; else null. */
  private nestedDirect(start: number, end: number, where: 'event' | 'userData'): NestedValues | null {
    const definition = this.readInstance(start, end);
    if (definition < 0) return null;
    const plan = this.nestedPlanAt(definition);
    if (plan === null || !this.valuesPlain(plan)) return null;
    if (where === 'userData') return { userData: this.dataOf(plan.userData) };
    return plan.eventData === null ? null : { eventData: this.dataOf(plan.eventData) };
  }

  private dataOf(plans: readonly DataPlan[]): EventValues {
    for (let i = 0; i < plans.length; i++) {
      const spread = (plans[i] as DataPlan).spread;
      if (spread >= 0 && spread < this.count && ((this.types[spread] as number) & VALUE_ARRAY_FLAG) !== 0)
        return this.spreadDataOf(plans);
    }
    const data: Record<string, string> = {};
    const dataList: string[] = new Array(plans.length);
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i] as DataPlan;
      const value = this.text(plan.value);
      dataList[i] = value;
      const name = typeof plan.name === 'string' ? plan.name : this.attribute(plan.name);
      if (name !== undefined) data[name] = value;
    }
    return { data, dataList };
  }

  /** The same when an array value stands for a value: one value per item (none for an empty array). */
  private spreadDataOf(plans: readonly DataPlan[]): EventValues {
    const data: Record<string, string> = {};
    const dataList: string[] = [];
    for (const plan of plans) {
      const name = typeof plan.name === 'string' ? plan.name : this.attribute(plan.name);
      const spread = plan.spread;
      const type = spread < 0 || spread >= this.count ? 0 : (this.types[spread] as number);
      if ((type & VALUE_ARRAY_FLAG) === 0) {
        const value = this.text(plan.value);
        dataList.push(value);
        if (name !== undefined) data[name] = value;
        continue;
      }
      const at = this.offsets[spread] as number;
      const items = renderValue(this.bytes, { type, at, size: this.sizes[spread] as number }) as string[];
      for (const item of items) {
        dataList.push(item);
        if (name !== undefined) data[name] = item;
      }
    }
    return { data, dataList };
  }

  /** Element text: the pieces concatenated, a null value contributing nothing. */
  private text(source: TextSource): string {
    if (source.length === 1) {
      const part = source[0] as string | SubstitutionNode;
      return typeof part === 'string' ? part : this.valueText(part.index);
    }
    let text = '';
    for (const part of source) text += typeof part === 'string' ? part : this.valueText(part.index);
    return text;
  }

  /** Attribute text; undefined when the template has none, or when it is only optional substitutions left null. */
  private attribute(source: TextSource | null): string | undefined {
    if (source === null) return undefined;
    if (source.length === 1) {
      // One piece (nearly always): a literal, or a substitution (left out when optional and null).
      const part = source[0] as string | SubstitutionNode;
      if (typeof part === 'string') return part;
      return part.optional && this.isNull(part.index) ? undefined : this.valueText(part.index);
    }
    let allNullOptional = source.length > 0;
    for (const part of source) {
      if (typeof part === 'string' || !part.optional || !this.isNull(part.index)) {
        allNullOptional = false;
        break;
      }
    }
    return allNullOptional ? undefined : this.text(source);
  }

  /**
   * An element's text as a whole number (null when absent or not digits), as the general path reads it; an unsigned
   * value is taken as a number without its text.
   */
  private integer(source: TextSource | null): number | null {
    if (source === null) return null;
    const part = source.length === 1 ? source[0] : undefined;
    if (part !== undefined && typeof part !== 'string' && part.index < this.count) {
      const type = this.types[part.index] as number;
      const at = this.offsets[part.index] as number;
      if (type === VALUE_UINT16) return u16(this.bytes, at);
      if (type === VALUE_UINT8) return this.bytes[at] as number;
      if (type === VALUE_UINT32) return u32(this.bytes, at);
      // Below 2^53 (every record id in practice) the number is exact.
      if (type === VALUE_UINT64 && u32(this.bytes, at + 4) < 0x200000)
        return u32(this.bytes, at) + u32(this.bytes, at + 4) * 0x100000000;
    }
    return wholeNumber(this.text(source));
  }

  private valueText(index: number): string {
    if (index >= this.count) return '';
    const type = this.types[index] as number;
    if (type === VALUE_NULL) return '';
    const at = this.offsets[index] as number;
    const size = this.sizes[index] as number;
    if (index >= MEMO_SLOTS) return renderScalar(this.bytes, type, at, size);
    const last = this.memoAt[index] as number;
    if (
      last >= 0 &&
      this.memoSize[index] === size &&
      this.memoType[index] === type &&
      sameBytes(this.bytes, last, at, size)
    )
      return this.memoText[index] as string;
    const text = renderScalar(this.bytes, type, at, size);
    this.memoAt[index] = at;
    this.memoSize[index] = size;
    this.memoType[index] = type;
    this.memoText[index] = text;
    return text;
  }

  private isNull(index: number): boolean {
    return index >= this.count || this.types[index] === VALUE_NULL || this.sizes[index] === 0;
  }
}

/** Substitution numbers with a memo (System uses 0–17; EventData values follow). */
const MEMO_SLOTS = 64;

function sameBytes(b: Uint8Array, a: number, c: number, size: number): boolean {
  if (a === c) return true;
  for (let i = 0; i < size; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

function noValues(): EventValues {
  return { data: {}, dataList: [] };
}

/** What a nested fragment holds for the event's values: an EventData, a UserData (null: one without payload). */
interface NestedValues {
  eventData?: EventValues;
  userData?: EventValues | null;
}
