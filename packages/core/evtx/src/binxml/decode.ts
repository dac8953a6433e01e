import { u16, u32, utf16 } from '../bytes.js';
import {
  type AttributeNode,
  BinXmlError,
  type ElementNode,
  type InstanceNode,
  type SubstitutionValue,
  type TemplateNode,
} from './nodes.js';
import {
  MORE_FLAG,
  TOKEN_ATTRIBUTE,
  TOKEN_CDATA,
  TOKEN_CHAR_REF,
  TOKEN_CLOSE_EMPTY_ELEMENT,
  TOKEN_CLOSE_START_ELEMENT,
  TOKEN_END_ELEMENT,
  TOKEN_ENTITY_REF,
  TOKEN_EOF,
  TOKEN_FRAGMENT_HEADER,
  TOKEN_NORMAL_SUBSTITUTION,
  TOKEN_OPEN_START_ELEMENT,
  TOKEN_OPTIONAL_SUBSTITUTION,
  TOKEN_PI_DATA,
  TOKEN_PI_TARGET,
  TOKEN_TEMPLATE_INSTANCE,
  TOKEN_VALUE,
  VALUE_STRING,
} from './tokens.js';

/** Per-chunk state: the chunk's bytes and the names and template definitions already decoded from them. */
export interface ChunkContext {
  /** The 64 KiB chunk; every offset inside BinXML is relative to its start. */
  readonly bytes: Uint8Array;
  readonly names: Map<number, string>;
  readonly templates: Map<number, readonly TemplateNode[]>;
}

/** A fresh context for one chunk's bytes. */
export function chunkContext(bytes: Uint8Array): ChunkContext {
  return { bytes, names: new Map(), templates: new Map() };
}

const MAX_DEPTH = 64; // real events nest a handful of levels; deeper means a loop in corrupt data

/**
 * Decodes one BinXML fragment (fragment header, then elements or a template instance, up to EOF) lying in
 * `[start, end)` of the chunk. Throws BinXmlError on bytes that break the format.
 */
export function decodeFragment(ctx: ChunkContext, start: number, end: number, depth = 0): TemplateNode[] {
  return new Decoder(ctx, start, end, depth, undefined).fragment();
}

/**
 * What a definition's decoding depended on besides its own bytes (`template-cache.ts` checks another chunk's copy of
 * the definition against it): where each name offset lies (relative to the start of the definition's BinXML) and
 * whether the name followed inline or was a back-reference to a name elsewhere in the chunk, and where each element
 * starts with the dependency identifier verdict taken there (both depend on absolute chunk offsets).
 */
export interface DefinitionTrace {
  readonly nameFields: number[];
  readonly nameInline: boolean[];
  readonly names: string[];
  readonly elements: number[];
  readonly dependencyIds: boolean[];
  /** Template instances met inside the definition (their definitions lie elsewhere in the chunk). */
  instances: number;
}

/** An empty trace to pass to `templateDefinition`. */
export function definitionTrace(): DefinitionTrace {
  return { nameFields: [], nameInline: [], names: [], elements: [], dependencyIds: [], instances: 0 };
}

/**
 * The template definition at chunk offset `offset` (next-offset, GUID, size, then its BinXML), decoded once per chunk
 * and then taken from `ctx.templates`. Throws BinXmlError on bytes that break the format.
 */
export function templateDefinition(
  ctx: ChunkContext,
  offset: number,
  depth: number,
  trace?: DefinitionTrace,
): readonly TemplateNode[] {
  const known = ctx.templates.get(offset);
  if (known !== undefined) return known;
  const bytes = ctx.bytes;
  if (offset + 24 > bytes.length) throw new BinXmlError('template definition outside the chunk', offset);
  const size = u32(bytes, offset + 20);
  const end = offset + 24 + size;
  if (end > bytes.length) throw new BinXmlError('template definition runs past the chunk', offset);
  // Stored before decoding would loop forever on a definition that instantiates itself; an empty stand-in breaks it.
  ctx.templates.set(offset, []);
  try {
    const nodes = new Decoder(ctx, offset + 24, end, depth, trace).fragment();
    ctx.templates.set(offset, nodes);
    return nodes;
  } catch (error) {
    ctx.templates.delete(offset);
    throw error;
  }
}

class Decoder {
  private p: number;
  private readonly start: number;

  constructor(
    private readonly ctx: ChunkContext,
    start: number,
    private readonly end: number,
    private readonly depth: number,
    /** Set when decoding a template definition for the cache across chunks. */
    private readonly trace: DefinitionTrace | undefined,
  ) {
    if (depth > MAX_DEPTH) throw new BinXmlError('BinXML nested too deeply', start);
    this.p = start;
    this.start = start;
  }

  fragment(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    while (this.p < this.end) {
      const token = this.byte(this.p);
      if (token === TOKEN_EOF) break;
      if (token === TOKEN_FRAGMENT_HEADER) {
        this.need(4);
        this.p += 4; // token, major and minor version, flags
      } else if (token === TOKEN_TEMPLATE_INSTANCE) {
        nodes.push(this.templateInstance());
      } else if ((token & ~MORE_FLAG) === TOKEN_OPEN_START_ELEMENT) {
        nodes.push(this.element());
      } else {
        throw new BinXmlError(`unexpected token 0x${token.toString(16)} at fragment level`, this.p);
      }
    }
    return nodes;
  }

  private element(): ElementNode {
    const token = this.byte(this.p);
    const at = this.p;
    const withDependencyId = hasDependencyId(this.ctx.bytes, at);
    if (this.trace !== undefined) {
      this.trace.elements.push(at - this.start);
      this.trace.dependencyIds.push(withDependencyId);
    }
    this.p = at + (withDependencyId ? 7 : 5);
    this.need(4);
    const name = this.name(this.readU32());
    const attributes: AttributeNode[] = [];
    if (token & MORE_FLAG) {
      this.need(4);
      this.p += 4; // attribute list size: the attribute tokens themselves tell where the list ends
      while ((this.byte(this.p) & ~MORE_FLAG) === TOKEN_ATTRIBUTE) attributes.push(this.attribute());
    }
    const close = this.byte(this.p++);
    if (close === TOKEN_CLOSE_EMPTY_ELEMENT) return { kind: 'element', name, attributes, children: [] };
    if (close !== TOKEN_CLOSE_START_ELEMENT) {
      throw new BinXmlError(
        `element <${name}> lacks its close-start token (found 0x${close.toString(16)})`,
        this.p - 1,
      );
    }
    return { kind: 'element', name, attributes, children: this.content() };
  }

  private attribute(): AttributeNode {
    this.p += 1;
    this.need(4);
    const name = this.name(this.readU32());
    const value: TemplateNode[] = [];
    for (;;) {
      const node = this.valueNode();
      if (node === null) break;
      value.push(node);
    }
    return { name, value };
  }

  /** Element content up to and including the end-element token. */
  private content(): TemplateNode[] {
    const children: TemplateNode[] = [];
    for (;;) {
      const token = this.byte(this.p);
      const base = token & ~MORE_FLAG;
      if (token === TOKEN_END_ELEMENT) {
        this.p++;
        return children;
      }
      if (base === TOKEN_OPEN_START_ELEMENT) children.push(this.element());
      else if (token === TOKEN_TEMPLATE_INSTANCE) children.push(this.templateInstance());
      else if (base === TOKEN_CDATA) children.push({ kind: 'text', text: this.counted(1) });
      else if (token === TOKEN_PI_TARGET) this.processingInstruction();
      else {
        const node = this.valueNode();
        if (node === null) throw new BinXmlError(`unexpected token 0x${token.toString(16)} in element content`, this.p);
        children.push(node);
      }
    }
  }

  /** A text, substitution or reference token, or null (consuming nothing) when the next token is another kind. */
  private valueNode(): TemplateNode | null {
    const token = this.byte(this.p);
    const base = token & ~MORE_FLAG;
    if (base === TOKEN_VALUE) {
      const type = this.byte(this.p + 1);
      if (type !== VALUE_STRING) throw new BinXmlError(`value token of type 0x${type.toString(16)}`, this.p);
      return { kind: 'text', text: this.counted(2) };
    }
    if (token === TOKEN_NORMAL_SUBSTITUTION || token === TOKEN_OPTIONAL_SUBSTITUTION) {
      this.need(4);
      const index = u16(this.ctx.bytes, this.p + 1);
      this.p += 4; // token, index, value type (the instance's own descriptor gives the type that counts)
      return { kind: 'substitution', index, optional: token === TOKEN_OPTIONAL_SUBSTITUTION };
    }
    if (base === TOKEN_CHAR_REF) {
      this.need(3);
      const code = u16(this.ctx.bytes, this.p + 1);
      this.p += 3;
      return { kind: 'charRef', code };
    }
    if (base === TOKEN_ENTITY_REF) {
      this.p += 1;
      this.need(4);
      return { kind: 'entityRef', name: this.name(this.readU32()) };
    }
    return null;
  }

  /** A processing instruction; event XML never uses one, so it is read past and left out. */
  private processingInstruction(): void {
    this.p += 1;
    this.need(4);
    this.name(this.readU32());
    if (this.byte(this.p) === TOKEN_PI_DATA) this.counted(1);
  }

  /** A length-prefixed UTF-16 string after `skip` bytes of token header. */
  private counted(skip: number): string {
    this.p += skip;
    this.need(2);
    const count = u16(this.ctx.bytes, this.p);
    this.p += 2;
    this.need(count * 2);
    const text = utf16(this.ctx.bytes, this.p, count);
    this.p += count * 2;
    return text;
  }

  private templateInstance(): InstanceNode {
    if (this.trace !== undefined) this.trace.instances++;
    this.need(10);
    const definitionOffset = u32(this.ctx.bytes, this.p + 6);
    this.p += 10; // token, unknown byte, template id, definition offset
    let template = this.ctx.templates.get(definitionOffset);
    if (definitionOffset === this.p) {
      // The definition follows inline (its first use in the chunk): next-offset, GUID, size, then BinXML.
      this.need(24);
      const size = u32(this.ctx.bytes, this.p + 20);
      this.need(24 + size);
      template ??= this.definition(definitionOffset);
      this.p += 24 + size;
    } else {
      template ??= this.definition(definitionOffset);
    }
    return { kind: 'instance', template, values: this.values() };
  }

  private definition(offset: number): readonly TemplateNode[] {
    return templateDefinition(this.ctx, offset, this.depth + 1);
  }

  /** The substitution array: a count, one (size, type) descriptor per value, then the values back to back. */
  private values(): SubstitutionValue[] {
    this.need(4);
    const count = this.readU32();
    this.need(count * 4);
    const bytes = this.ctx.bytes;
    const values: SubstitutionValue[] = new Array(count);
    let at = this.p + count * 4;
    for (let i = 0; i < count; i++) {
      const size = u16(bytes, this.p + i * 4);
      values[i] = { type: bytes[this.p + i * 4 + 2] as number, at, size };
      at += size;
    }
    if (at > this.end) throw new BinXmlError('substitution values run past the record', this.p);
    this.p = at;
    return values;
  }

  /** The name at chunk offset `offset`; when it lies right here (first use), it is also skipped over. */
  private name(offset: number): string {
    const bytes = this.ctx.bytes;
    const inline = offset === this.p;
    let name = this.ctx.names.get(offset);
    if (name === undefined) {
      if (offset + 8 > bytes.length) throw new BinXmlError('name offset outside the chunk', this.p);
      const count = u16(bytes, offset + 6);
      if (offset + 8 + count * 2 > bytes.length) throw new BinXmlError('name runs past the chunk', offset);
      name = utf16(bytes, offset + 8, count);
      this.ctx.names.set(offset, name);
    }
    if (this.trace !== undefined) {
      this.trace.nameFields.push(this.p - 4 - this.start);
      this.trace.nameInline.push(inline);
      this.trace.names.push(name);
    }
    // next-string offset (4), hash (2), length (2), characters, NUL terminator (2)
    if (inline) this.p += 10 + name.length * 2;
    return name;
  }

  private readU32(): number {
    const value = u32(this.ctx.bytes, this.p);
    this.p += 4;
    return value;
  }

  private byte(at: number): number {
    if (at >= this.end) throw new BinXmlError('BinXML ends early', at);
    return this.ctx.bytes[at] as number;
  }

  private need(count: number): void {
    if (this.p + count > this.end) throw new BinXmlError('BinXML ends early', this.p);
  }
}

/**
 * Whether the open-start-element token at `at` carries the 2-byte dependency identifier. Windows writes it in
 * ordinary logs; Windows Event Collector (forwarded events) logs leave it out. The name offset settles it: with the
 * right layout it points either just past itself (the name follows inline) or back to a name already written.
 */
export function hasDependencyId(bytes: Uint8Array, at: number): boolean {
  if (at + 11 > bytes.length) return false;
  const withId = u32(bytes, at + 7);
  const withoutId = u32(bytes, at + 5);
  if (withId === at + 11) return true;
  if (withoutId === at + 9) return false;
  if (withId < at) return true;
  return !(withoutId < at);
}
