// SieveMessage over the raw bytes of an RFC 5322 message, through @mailyard/mail's one MIME splitter and header
// decoding: header fields unfolded (RFC 5322 §2.2.3) and RFC 2047 decoded, the raw body, and the MIME parts
// with their text decoded (RFC 2045 transfer encodings, charsets; text/html also as plain text for :text).
// Parts are decoded on first use only, so a script that never runs a body test never pays for it.

import {
  decodeHeaderWords,
  decodeTextPart,
  type HeaderField,
  headerText,
  htmlText,
  type PartNode,
  parseMimeTree,
} from '@mailyard/mail';
import type { BodyPart, SieveMessage } from './message.js';

/** Every part in document order; an encapsulated message (message/rfc822) contributes its own parts. */
function allParts(node: PartNode, out: PartNode[]): PartNode[] {
  if (node.message) return allParts(node.message, out);
  out.push(node);
  for (const child of node.children) allParts(child, out);
  return out;
}

/** A multipart's prologue and epilogue (RFC 2046 §5.1.1), without its boundary delimiter lines. */
function prologueAndEpilogue(raw: Buffer, node: PartNode): string {
  const first = node.children[0] as PartNode;
  const last = node.children.at(-1) as PartNode;
  const boundary = `--${node.typeParams.find(([name]) => name.toLowerCase() === 'boundary')?.[1] ?? ''}`;
  const outside =
    raw.toString('utf8', node.bodyStart, first.headerStart) + raw.toString('utf8', last.bodyEnd, node.bodyEnd);
  return outside
    .split(/\r?\n/)
    .filter((line) => line !== '' && !line.startsWith(boundary))
    .join('\r\n');
}

export class RawMessage implements SieveMessage {
  readonly size: number;
  private readonly root: PartNode;
  private readonly byName = new Map<string, HeaderField[]>();
  private parts: BodyPart[] | null = null;
  private readonly unfolded = new Map<string, string[]>();
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

  /** Unfolded once per name, as header() decodes once: address tests read From and To many times. */
  rawHeader(name: string): string[] {
    let values = this.unfolded.get(name);
    if (!values) {
      values = (this.byName.get(name) ?? []).map((field) => headerText(field.raw));
      this.unfolded.set(name, values);
    }
    return values;
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
    this.parts ??= allParts(this.root, []).map((node) => this.part(node));
    return this.parts;
  }

  private part(node: PartNode): BodyPart {
    const contentType = node.contentType;
    if (node.children.length > 0) return { contentType, text: prologueAndEpilogue(this.raw, node), plainText: null };
    const text = decodeTextPart(this.raw, node);
    const plainText = contentType === 'text/html' ? htmlText(text) : contentType.startsWith('text/') ? text : null;
    return { contentType, text, plainText };
  }
}
