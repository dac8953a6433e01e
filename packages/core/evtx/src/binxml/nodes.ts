/**
 * The tree a BinXML fragment decodes to before its substitutions are filled in. Template definitions decode once per
 * chunk to these nodes and are reused for every record that instantiates them.
 */
export type TemplateNode = ElementNode | TextNode | SubstitutionNode | CharRefNode | EntityRefNode | InstanceNode;

/** An element with its attributes and content. */
export interface ElementNode {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: readonly AttributeNode[];
  readonly children: readonly TemplateNode[];
}

/** An attribute; its value is a run of text, substitutions and references. */
export interface AttributeNode {
  readonly name: string;
  readonly value: readonly TemplateNode[];
}

/** Literal text (a value-text token or a CDATA section). */
export interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}

/** A placeholder for the template instance's value number `index`. */
export interface SubstitutionNode {
  readonly kind: 'substitution';
  readonly index: number;
  /** An optional substitution (token 0x0e) renders nothing when its value is null. */
  readonly optional: boolean;
}

/** `&#N;` in the original XML. */
export interface CharRefNode {
  readonly kind: 'charRef';
  readonly code: number;
}

/** `&name;` in the original XML. */
export interface EntityRefNode {
  readonly kind: 'entityRef';
  readonly name: string;
}

/** A template instance: a definition plus the values of this occurrence. */
export interface InstanceNode {
  readonly kind: 'instance';
  readonly template: readonly TemplateNode[];
  readonly values: readonly SubstitutionValue[];
}

/** Where one substitution value lies in the chunk, and its BinXML value type. */
export interface SubstitutionValue {
  readonly type: number;
  /** Offset of the value's bytes in the chunk's byte array. */
  readonly at: number;
  readonly size: number;
}

/** Raised inside the decoder for bytes that do not follow the format; the reader turns it into a rejection. */
export class BinXmlError extends Error {
  constructor(
    message: string,
    /** Offset in the chunk where the problem was found. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'BinXmlError';
  }
}
