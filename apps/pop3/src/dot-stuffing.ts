/**
 * The body of a multi-line POP3 response (RFC 1939 §3): every line ends in CRLF, a line starting with "." gets
 * one more ".", and the response ends with the line ".". Built as one buffer so a reply goes out in one write.
 */
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/**
 * `raw` framed for the wire: bare LFs become CRLF, leading dots are doubled, CRLF.CRLF ends it. `status` (the
 * "+OK" line) goes first in the same buffer, so the message's bytes are copied once.
 */
export function multilineBody(raw: Buffer, status?: Buffer): Buffer {
  const head = status ? [status] : [];
  if (isWireClean(raw)) return Buffer.concat([...head, raw, ...(endsWithCrlf(raw) ? [] : [CRLF]), TERMINATOR]);
  const parts: Buffer[] = head;
  let lineStart = 0;
  while (lineStart < raw.length) {
    const lf = raw.indexOf(LF, lineStart);
    const lineEnd = lf < 0 ? raw.length : lf;
    const contentEnd = lineEnd > lineStart && raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (raw[lineStart] === DOT) parts.push(Buffer.from('.'));
    parts.push(raw.subarray(lineStart, contentEnd), CRLF);
    lineStart = lineEnd + 1;
  }
  parts.push(TERMINATOR);
  return Buffer.concat(parts);
}

/** True when no line starts with a dot and every LF follows a CR: the bytes can go out as they are. */
function isWireClean(raw: Buffer): boolean {
  if (raw[0] === DOT) return false;
  for (let lf = raw.indexOf(LF); lf >= 0; lf = raw.indexOf(LF, lf + 1)) {
    if (lf === 0 || raw[lf - 1] !== CR || raw[lf + 1] === DOT) return false;
  }
  return true;
}

function endsWithCrlf(raw: Buffer): boolean {
  return raw.length >= 2 && raw[raw.length - 2] === CR && raw[raw.length - 1] === LF;
}
