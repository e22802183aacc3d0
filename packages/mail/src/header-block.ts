// Header block of a message or MIME part (RFC 5322 §2.2, §3.2.2): where it ends, and its fields with their exact
// byte ranges. Works on the bytes as given: CRLF, bare LF and mixed line endings are all accepted, and a bare CR is
// ordinary content (never a line end).

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** One header field as it sits in the raw bytes (all continuation lines included). */
export interface HeaderField {
  /** Lowercased field name; '' for a line that has no colon. */
  name: string;
  /** Byte offset of the first character of the field name. */
  start: number;
  /** Byte offset just past the field's last line ending (or the block end when the last line has none). */
  end: number;
  /** Field body after the colon, unfolded (RFC 5322 §2.2.3), trimmed, one char per byte ('latin1'). */
  raw: string;
}

export interface HeaderBounds {
  /** Start of the blank line that ends the header block; equals `end` when there is no blank line. */
  headerEnd: number;
  /** First byte after the blank line; equals `headerEnd` when there is no blank line. */
  bodyStart: number;
}

/** Finds the blank line (CRLF CRLF, LF LF or mixed) that separates header and body within raw[start, end). */
export function findHeaderEnd(raw: Buffer, start: number, end: number): HeaderBounds {
  let pos = start;
  while (pos < end) {
    if (raw[pos] === LF) return { headerEnd: pos, bodyStart: pos + 1 };
    if (raw[pos] === CR && pos + 1 < end && raw[pos + 1] === LF) return { headerEnd: pos, bodyStart: pos + 2 };
    const lineEnd = raw.indexOf(LF, pos);
    if (lineEnd < 0 || lineEnd >= end) break;
    pos = lineEnd + 1;
  }
  return { headerEnd: end, bodyStart: end };
}

/** Splits raw[start, end) (a header block without its blank line) into fields. */
export function splitHeaderFields(raw: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < end) {
    const lineEnd = raw.indexOf(LF, pos);
    const next = lineEnd < 0 || lineEnd >= end ? end : lineEnd + 1;
    const first = raw[pos];
    const last = fields.at(-1);
    if ((first === SP || first === HT) && last) {
      last.end = next;
    } else {
      fields.push({ name: '', start: pos, end: next, raw: '' });
    }
    pos = next;
  }
  for (const field of fields) fillNameAndValue(raw, field);
  return fields;
}

function fillNameAndValue(raw: Buffer, field: HeaderField): void {
  const colon = raw.indexOf(COLON, field.start);
  if (colon < 0 || colon >= field.end) return;
  field.name = raw.toString('latin1', field.start, colon).trim().toLowerCase();
  field.raw = unfold(raw.toString('latin1', colon + 1, field.end));
}

/** RFC 5322 §2.2.3: unfolding removes the CRLF (or bare LF) before folding whitespace; the value is trimmed. */
export function unfold(value: string): string {
  return value
    .replace(/\r?\n(?=[ \t])/g, '')
    .replace(/\r?\n$/, '')
    .trim();
}

/** Header bytes as text: UTF-8 when they are valid UTF-8 (RFC 6532), otherwise one char per byte (Latin-1). */
export function headerText(binary: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: testing for non-ASCII bytes
  if (!/[^\x00-\x7f]/.test(binary)) return binary;
  const bytes = Buffer.from(binary, 'latin1');
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') && !binary.includes('\u00ef\u00bf\u00bd') ? binary : text;
}

/** The first field with this (lowercase) name, or undefined. */
export function firstField(fields: HeaderField[], name: string): HeaderField | undefined {
  return fields.find((field) => field.name === name);
}
