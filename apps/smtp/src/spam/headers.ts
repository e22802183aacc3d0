/**
 * The verdict as header fields, in the SpamAssassin form mail clients and Sieve scripts already read:
 * X-Spam-Flag: YES (only on spam), X-Spam-Score, X-Spam-Status ("Yes|No, score= required= tests=") and, for a
 * message too large for the content checks, X-Spam-Checked saying so. Any X-Spam-* field that arrives with the
 * message is removed first: only we write them, so a sender cannot pre-label its own mail as clean.
 */
import { headerFields } from '../message.js';
import type { SpamDecision } from './verdict.js';

/** The header block without the fields whose (lower-case) name starts with `prefix`; the same Buffer when none. */
export function withoutFieldsStarting(header: Buffer, prefix: string): Buffer {
  const fields = headerFields(header).filter((f) => f.name.startsWith(prefix));
  if (fields.length === 0) return header;
  const kept: Buffer[] = [];
  let at = 0;
  for (const field of fields) {
    kept.push(header.subarray(at, field.start));
    at = field.end;
  }
  kept.push(header.subarray(at));
  return Buffer.concat(kept);
}

/** The header block without X-Spam-* fields; the same Buffer when there are none. */
export function withoutSpamFields(header: Buffer): Buffer {
  return withoutFieldsStarting(header, 'x-spam-');
}

/** Folds a list of names over several lines (RFC 5322 §2.2.3) so that no line runs past 78 characters. */
function folded(prefix: string, names: string[]): string {
  const lines: string[] = [];
  let line = prefix;
  for (const [i, name] of names.entries()) {
    const piece = i < names.length - 1 ? `${name},` : name;
    if (line.length + piece.length > 76 && line.trim().length > 0) {
      lines.push(line);
      line = '\t';
    }
    line += piece;
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** CRLF-terminated header fields for the decision; `required` is the junk threshold applied. */
export function spamHeaders(decision: SpamDecision, required: number, notScannedAbove: number | null): string {
  const spam = decision.action === 'junk' || decision.action === 'reject';
  const score = decision.score.toFixed(1);
  const tests = [...new Set(decision.symbols.map((s) => s.name))].sort();
  const status = folded(
    `X-Spam-Status: ${spam ? 'Yes' : 'No'}, score=${score} required=${required.toFixed(1)} tests=`,
    tests.length > 0 ? tests : ['none'],
  );
  const fields = [
    ...(spam ? ['X-Spam-Flag: YES'] : []),
    `X-Spam-Score: ${score}`,
    status,
    ...(notScannedAbove !== null
      ? [`X-Spam-Checked: headers only, the message is larger than ${notScannedAbove} bytes`]
      : []),
  ];
  return `${fields.join('\r\n')}\r\n`;
}
