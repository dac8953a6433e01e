import type { XmlAttribute, XmlChild, XmlElement } from '../xml.js';
import { type ChunkContext, decodeFragment } from './decode.js';
import type { AttributeNode, ElementNode, SubstitutionValue, TemplateNode } from './nodes.js';
import { VALUE_ARRAY_FLAG, VALUE_BINXML, VALUE_NULL } from './tokens.js';
import { renderValue } from './values.js';

// The five entities XML predefines; BinXML entity references name one of these in event XML.
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NO_VALUES: readonly SubstitutionValue[] = [];

/** The text of entity reference `&name;`: a predefined entity's character, else the reference as written. */
export function entityText(name: string): string {
  return ENTITIES[name] ?? `&${name};`;
}

/**
 * Fills decoded nodes with their substitution values into plain XML elements and text. Values of type BinXml are
 * decoded as nested fragments (Windows stores `<EventData>`/`<UserData>` of many events that way).
 */
export function resolveNodes(ctx: ChunkContext, nodes: readonly TemplateNode[], depth = 0): XmlChild[] {
  const out: XmlChild[] = [];
  resolveInto(ctx, nodes, NO_VALUES, out, depth);
  return out;
}

function resolveInto(
  ctx: ChunkContext,
  nodes: readonly TemplateNode[],
  values: readonly SubstitutionValue[],
  out: XmlChild[],
  depth: number,
): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'element':
        pushElement(ctx, node, values, out, depth);
        break;
      case 'text':
        pushText(out, node.text);
        break;
      case 'charRef':
        pushText(out, String.fromCharCode(node.code));
        break;
      case 'entityRef':
        pushText(out, entityText(node.name));
        break;
      case 'instance':
        resolveInto(ctx, node.template, node.values, out, depth);
        break;
      case 'substitution':
        substitute(ctx, values[node.index], out, depth);
        break;
    }
  }
}

/**
 * Pushes the element, or, when its content substitutes an array value, one copy of the element per array item (none
 * for an empty array): Windows renders `<Data>%1</Data>` with a string array as one `<Data>` per string.
 */
function pushElement(
  ctx: ChunkContext,
  node: ElementNode,
  values: readonly SubstitutionValue[],
  out: XmlChild[],
  depth: number,
): void {
  const array = arraySubstitution(node.children, values);
  if (array === null) {
    out.push(resolveElement(ctx, node.name, node.attributes, node.children, values, depth));
    return;
  }
  const items = renderValue(ctx.bytes, array.value);
  for (const item of typeof items === 'string' ? [items] : items) {
    const children = node.children.map((child) =>
      child.kind === 'substitution' && child.index === array.index ? ({ kind: 'text', text: item } as const) : child,
    );
    out.push(resolveElement(ctx, node.name, node.attributes, children, values, depth));
  }
}

function arraySubstitution(
  children: readonly TemplateNode[],
  values: readonly SubstitutionValue[],
): { index: number; value: SubstitutionValue } | null {
  for (const child of children) {
    if (child.kind !== 'substitution') continue;
    const value = values[child.index];
    if (value !== undefined && (value.type & VALUE_ARRAY_FLAG) !== 0) return { index: child.index, value };
  }
  return null;
}

function resolveElement(
  ctx: ChunkContext,
  name: string,
  attributeNodes: readonly AttributeNode[],
  childNodes: readonly TemplateNode[],
  values: readonly SubstitutionValue[],
  depth: number,
): XmlElement {
  const attributes: XmlAttribute[] = [];
  for (const attribute of attributeNodes) {
    const value = attributeText(ctx, attribute.value, values, depth);
    if (value !== null) attributes.push({ name: attribute.name, value });
  }
  const children: XmlChild[] = [];
  resolveInto(ctx, childNodes, values, children, depth);
  return { name, attributes, children };
}

/**
 * An attribute's text, or null when the attribute is to be left out: Windows omits an attribute whose value is only
 * optional substitutions that are all null (e.g. `Qualifiers` on EventID, `ActivityID` on Correlation).
 */
function attributeText(
  ctx: ChunkContext,
  nodes: readonly TemplateNode[],
  values: readonly SubstitutionValue[],
  depth: number,
): string | null {
  let allNullOptional = nodes.length > 0;
  for (const node of nodes) {
    if (node.kind !== 'substitution' || !node.optional || !isNull(values[node.index])) allNullOptional = false;
  }
  if (allNullOptional) return null;
  const parts: XmlChild[] = [];
  resolveInto(ctx, nodes, values, parts, depth);
  let text = '';
  for (const part of parts) if (typeof part === 'string') text += part;
  return text;
}

function isNull(value: SubstitutionValue | undefined): boolean {
  return value === undefined || value.type === VALUE_NULL || value.size === 0;
}

function substitute(ctx: ChunkContext, value: SubstitutionValue | undefined, out: XmlChild[], depth: number): void {
  if (value === undefined || value.type === VALUE_NULL) return;
  if (value.type === VALUE_BINXML) {
    const nested = decodeFragment(ctx, value.at, value.at + value.size, depth + 1);
    resolveInto(ctx, nested, NO_VALUES, out, depth + 1);
    return;
  }
  const rendered = renderValue(ctx.bytes, value);
  pushText(out, typeof rendered === 'string' ? rendered : rendered.join(','));
}

/** Appends text, merging with a preceding text run so an element's text is one string. */
function pushText(out: XmlChild[], text: string): void {
  if (text === '') return;
  const last = out.length - 1;
  if (last >= 0 && typeof out[last] === 'string') out[last] = (out[last] as string) + text;
  else out.push(text);
}
