import { Buffer } from 'node:buffer';
import { u16, u32 } from '../bytes.js';
import {
  type ChunkContext,
  type DefinitionTrace,
  definitionTrace,
  hasDependencyId,
  templateDefinition,
} from './decode.js';
import type { TemplateNode } from './nodes.js';
import type { NestedPlan, TemplatePlan } from './plan.js';

/**
 * Template definitions decoded in one chunk, reused in the next chunks of the same file. Windows writes a template's
 * definition again in every chunk that uses it (templates and names are chunk-local), so a file of 26 chunks decodes
 * and plans the same few dozen definitions 26 times. A definition found here is reused only when the decoder would
 * read it exactly as before: the same bytes, except the name offsets (absolute chunk offsets, which move with the
 * definition) and the next-string offsets of inline names (the decoder skips them); each name inline where it was
 * inline and, where it was a back-reference, one to a name of the same text; and the same dependency identifier
 * verdict at each element. The decoded nodes then are the same, and so are the plans made from them.
 * One cache per file (or per stream of chunks of one log): pass it to `readChunkEvents`.
 */
export class TemplateCache {
  private readonly buckets = new Map<number, CachedTemplate[]>();
  private entries = 0;

  /** How many definitions the cache holds. */
  get size(): number {
    return this.entries;
  }

  /**
   * The definition at chunk offset `offset`: from the cache when an equal one is there (its nodes are then also the
   * chunk's own for that offset), else decoded in the chunk and kept. Undefined when it cannot be decoded, instantiates
   * other templates, or the cache is full: the caller then decodes it the ordinary way.
   */
  definition(ctx: ChunkContext, offset: number, depth: number): CachedTemplate | undefined {
    const bytes = ctx.bytes;
    if (offset + 24 > bytes.length) return undefined;
    const size = u32(bytes, offset + 20);
    if (offset + 24 + size > bytes.length) return undefined;
    // The first 32 bits of the template GUID and the size pick the bucket (size < 2^16 here: the key is exact).
    const key = u32(bytes, offset + 4) + size * 0x100000000;
    let bucket = this.buckets.get(key);
    if (bucket !== undefined)
      for (const entry of bucket)
        if (sameDefinition(entry, ctx, offset + 24)) {
          if (!ctx.templates.has(offset)) ctx.templates.set(offset, entry.nodes);
          return entry;
        }
    if (ctx.templates.has(offset) || this.entries >= MAX_ENTRIES || (bucket?.length ?? 0) >= MAX_PER_BUCKET)
      return undefined;
    const trace = definitionTrace();
    let nodes: readonly TemplateNode[];
    try {
      nodes = templateDefinition(ctx, offset, depth, trace);
    } catch {
      return undefined;
    }
    if (trace.instances > 0) return undefined;
    const entry = cachedTemplate(bytes.slice(offset + 24, offset + 24 + size), trace, nodes);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    bucket.push(entry);
    this.entries++;
    return entry;
  }
}

/** A bound on what one file can make the cache hold (real logs have tens of templates). */
const MAX_ENTRIES = 4096;
const MAX_PER_BUCKET = 8;

/** A definition's BinXML, what its decoding depended on, its nodes, and the plans made from them once. */
export interface CachedTemplate {
  readonly body: Uint8Array;
  readonly nameFields: readonly number[];
  readonly nameInline: readonly boolean[];
  readonly names: readonly string[];
  readonly elements: readonly number[];
  readonly dependencyIds: readonly boolean[];
  readonly nodes: readonly TemplateNode[];
  /** Set by the direct reader: undefined until planned, null when the template has no plan. */
  plan: TemplatePlan | null | undefined;
  nested: NestedPlan | null | undefined;
}

function cachedTemplate(body: Uint8Array, trace: DefinitionTrace, nodes: readonly TemplateNode[]): CachedTemplate {
  return {
    body,
    nameFields: trace.nameFields,
    nameInline: trace.nameInline,
    names: trace.names,
    elements: trace.elements,
    dependencyIds: trace.dependencyIds,
    nodes,
    plan: undefined,
    nested: undefined,
  };
}

/** Whether the name the decoder would read at chunk offset `offset` is `name` (compared without making a string). */
function nameIs(ctx: ChunkContext, offset: number, name: string): boolean {
  const known = ctx.names.get(offset);
  if (known !== undefined) return known === name;
  const bytes = ctx.bytes;
  if (offset + 8 > bytes.length) return false;
  const count = u16(bytes, offset + 6);
  if (count !== name.length || offset + 8 + count * 2 > bytes.length) return false;
  for (let i = 0; i < count; i++) if (u16(bytes, offset + 8 + 2 * i) !== name.charCodeAt(i)) return false;
  return true;
}

/** Where a candidate definition is copied to be compared with a cached one natively. */
let scratch = new Uint8Array(4096);

/** Whether the definition whose BinXML starts at chunk offset `start` decodes exactly as `entry` did. */
function sameDefinition(entry: CachedTemplate, ctx: ChunkContext, start: number): boolean {
  const bytes = ctx.bytes;
  const body = entry.body;
  const size = body.length;
  const fields = entry.nameFields;
  if (scratch.length < size) scratch = new Uint8Array(size);
  const copy = scratch;
  copy.set(bytes.subarray(start, start + size));
  let from = 0;
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k] as number;
    if (field < from) return false;
    const value = u32(bytes, start + field);
    const inlineAt = start + field + 4;
    // The name offset, and an inline name's next-string offset (chunk-absolute, never read), are not compared: the
    // cached bytes are put in their place in the copy.
    if (entry.nameInline[k] === true) {
      if (value !== inlineAt) return false;
      from = field + 8;
    } else {
      if (value === inlineAt || !nameIs(ctx, value, entry.names[k] as string)) return false;
      from = field + 4;
    }
    if (from > size) return false;
    for (let i = field; i < from; i++) copy[i] = body[i] as number;
  }
  if (Buffer.compare(copy.subarray(0, size), body) !== 0) return false;
  for (let k = 0; k < entry.elements.length; k++)
    if (hasDependencyId(bytes, start + (entry.elements[k] as number)) !== entry.dependencyIds[k]) return false;
  return true;
}
