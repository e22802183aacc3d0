// IMAP BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) as nested arrays, in the layout wildduck's imap-core prints:
//   leaf:      [type, subtype, params, id, description, encoding, size, (text: lines),
//               (message/rfc822: envelope, body, lines), ...extension: md5, disposition, language, location]
//   multipart: [child, child, ..., subtype, ...extension: params, disposition, language, location]
// Sizes are byte lengths of raw[bodyStart, bodyEnd) and line counts are the LF bytes in that range, so both match
// what BODY[n] returns. Parameters are passed as the header has them, RFC 2231 continuations joined (name* keeps
// its charset'lang'%xx value for the client to decode).

import { joinContinuations, parseStructured } from './content-params.js';
import { buildEnvelope } from './envelope.js';
import { firstField, type HeaderField, headerText } from './header-block.js';
import type { PartNode } from './mime-tree.js';

type Params = string[] | null;
type Structure = unknown[];

const LF = 0x0a;

/** Number of LF bytes in raw[start, end): the part's line count. */
export function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0;
  let pos = raw.indexOf(LF, start);
  while (pos >= 0 && pos < end) {
    lines++;
    pos = raw.indexOf(LF, pos + 1);
  }
  return lines;
}

const EMPTY_ENVELOPE = [null, null, null, null, null, null, null, null, null, null];

/**
 * A message/rfc822 part we do not open (transfer-encoded against RFC 2046 §5.2.1, or past MAX_DEPTH) still needs
 * the body-type-msg form, or clients misparse it: it gets an empty envelope and an empty text/plain body.
 */
function emptyBody(extended: boolean): Structure {
  const body = ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0];
  return extended ? body.concat([null, null, null, null]) : body;
}

/** BODYSTRUCTURE when `extended`, else BODY. */
export function buildBodystructure(raw: Buffer, node: PartNode, extended: boolean): Structure {
  if (node.children.length > 0) return multipartStructure(raw, node, extended);
  const basic = basicFields(node);
  const lines = () => countLines(raw, node.bodyStart, node.bodyEnd);
  if (node.message) {
    basic.push(buildEnvelope(node.message.fields), buildBodystructure(raw, node.message, extended), lines());
  } else if (node.contentType === 'message/rfc822') {
    basic.push(EMPTY_ENVELOPE, emptyBody(extended), lines());
  } else if (node.contentType.startsWith('text/')) {
    basic.push(lines());
  }
  return extended ? basic.concat(extensionFields(node, true)) : basic;
}

function multipartStructure(raw: Buffer, node: PartNode, extended: boolean): Structure {
  const structure: Structure = node.children.map((child) => buildBodystructure(raw, child, extended));
  structure.push(subtypeOf(node.contentType));
  if (!extended) return structure;
  structure.push(flatParams(node.typeParams));
  return structure.concat(extensionFields(node, false));
}

function subtypeOf(contentType: string): string {
  return contentType.slice(contentType.indexOf('/') + 1);
}

function basicFields(node: PartNode): Structure {
  const [type = 'text', subtype = 'plain'] = node.contentType.split('/');
  return [
    type,
    subtype,
    typeParams(node),
    fieldText(node.fields, 'content-id'),
    fieldText(node.fields, 'content-description'),
    node.encoding || '7bit',
    node.bodyEnd - node.bodyStart,
  ];
}

/** RFC 2045 §5.2: a text part without Content-Type is text/plain; charset=us-ascii. */
function typeParams(node: PartNode): Params {
  if (node.typeDefaulted && node.typeParams.length === 0 && node.contentType === 'text/plain') {
    return ['charset', 'us-ascii'];
  }
  return flatParams(node.typeParams);
}

function flatParams(params: Array<[string, string]>): Params {
  if (params.length === 0) return null;
  return joinContinuations(params).flatMap(([name, value]) => [name, headerText(value)]);
}

function fieldText(fields: HeaderField[], name: string): string | null {
  const field = firstField(fields, name);
  return field ? headerText(field.raw) : null;
}

/** body-ext-1part (with MD5) or the tail of body-ext-mpart: disposition, language, location. */
function extensionFields(node: PartNode, withMd5: boolean): Structure {
  const fields: Structure = withMd5 ? [fieldText(node.fields, 'content-md5')] : [];
  fields.push(disposition(node.fields), language(node.fields), fieldText(node.fields, 'content-location'));
  return fields;
}

/** RFC 2183 Content-Disposition as (type params). */
function disposition(fields: HeaderField[]): [string, Params] | null {
  const field = firstField(fields, 'content-disposition');
  if (!field) return null;
  const parsed = parseStructured(field.raw);
  if (!parsed.value) return null;
  return [headerText(parsed.value), flatParams(parsed.params)];
}

/** RFC 3282 Content-Language as a list of tags. */
function language(fields: HeaderField[]): string[] | null {
  const text = fieldText(fields, 'content-language');
  if (!text) return null;
  const tags = text.split(/[\s,]+/).filter(Boolean);
  return tags.length > 0 ? tags : null;
}
