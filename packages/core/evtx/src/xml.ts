/** An element of a record's event XML after its template has been filled in. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  /** Child elements and text, in document order (text already unescaped). */
  readonly children: readonly XmlChild[];
}

/** One attribute with its unescaped value. */
export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
}

/** Element content: a child element or a run of text. */
export type XmlChild = XmlElement | string;

/** The first child element called `name`, if any. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) if (typeof child !== 'string' && child.name === name) return child;
  return undefined;
}

/** The value of attribute `name`, if present. */
export function attributeValue(element: XmlElement, name: string): string | undefined {
  for (const attribute of element.attributes) if (attribute.name === name) return attribute.value;
  return undefined;
}

/** The element's direct text content (child elements contribute nothing). */
export function textOf(element: XmlElement): string {
  const { children } = element;
  if (children.length === 1 && typeof children[0] === 'string') return children[0];
  let text = '';
  for (const child of children) if (typeof child === 'string') text += child;
  return text;
}

/**
 * The element as XML text in the compact form `wevtutil qe /f:xml` writes: no indentation, empty elements
 * self-closed, `&`, `<`, `>`, CR (and `"` in attributes) escaped.
 */
export function renderXml(element: XmlElement): string {
  let out = `<${element.name}`;
  for (const attribute of element.attributes) out += ` ${attribute.name}="${escapeXml(attribute.value, true)}"`;
  if (element.children.length === 0) return `${out}/>`;
  out += '>';
  for (const child of element.children) out += typeof child === 'string' ? escapeXml(child, false) : renderXml(child);
  return `${out}</${element.name}>`;
}

// A raw CR would be folded into LF by any XML reader; Windows writes it as a character reference (see the
// RenderingInfo Message of test/fixtures/windows-samples/other/security-4624-renderinginfo.xml), and so does this renderer.
const TEXT_SPECIALS = /[&<>\r]/g;
const ATTRIBUTE_SPECIALS = /[&<>"\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#xD;',
};

function escapeXml(text: string, inAttribute: boolean): string {
  return text.replace(inAttribute ? ATTRIBUTE_SPECIALS : TEXT_SPECIALS, (c) => ESCAPES[c] as string);
}
