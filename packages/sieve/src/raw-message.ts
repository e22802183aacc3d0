// SieveMessage over the raw bytes of an RFC 5322 message, through @mailyard/mail's one MIME splitter and header
// decoding: header fields unfolded (RFC 5322 §2.2.3) and RFC 2047 decoded, the raw body, and the MIME leaves
// with their text decoded (RFC 2045 transfer encodings, charsets). Parts are decoded on first use only, so a
// script that never runs a body test never pays for it.

import {
  decodeHeaderWords,
  decodeTextPart,
  type HeaderField,
  headerText,
  type PartNode,
  parseMimeTree,
} from '@mailyard/mail';
import type { BodyPart, SieveMessage } from './message.js';

/** Leaves in document order; the header of an encapsulated message is part of its text (RFC 5173 §5.2). */
function leaves(node: PartNode, out: PartNode[]): PartNode[] {
  if (node.message) return leaves(node.message, out);
  if (node.children.length === 0) out.push(node);
  for (const child of node.children) leaves(child, out);
  return out;
}

export class RawMessage implements SieveMessage {
  readonly size: number;
  private readonly root: PartNode;
  private readonly byName = new Map<string, HeaderField[]>();
  private parts: BodyPart[] | null = null;
  private readonly decoded = new Map<string, string[]>();
  private body: string | null = null;

  constructor(private readonly raw: Buffer) {
    this.size = raw.length;
    this.root = parseMimeTree(raw);
    for (const field of this.root.fields) {
      if (!field.name) continue;
      const list = this.byName.get(field.name);
      if (list) list.push(field);
      else this.byName.set(field.name, [field]);
    }
  }

  rawHeader(name: string): string[] {
    return (this.byName.get(name) ?? []).map((field) => headerText(field.raw));
  }

  /** Decoded once per name: a 50-rule script asks for Subject and From many times. */
  header(name: string): string[] {
    let values = this.decoded.get(name);
    if (!values) {
      values = this.rawHeader(name).map(decodeHeaderWords);
      this.decoded.set(name, values);
    }
    return values;
  }

  rawBody(): string {
    this.body ??= this.raw.toString('utf8', this.root.bodyStart, this.root.bodyEnd);
    return this.body;
  }

  bodyParts(): BodyPart[] {
    this.parts ??= leaves(this.root, []).map((node) => ({
      contentType: node.contentType,
      text: decodeTextPart(this.raw, node),
    }));
    return this.parts;
  }
}
