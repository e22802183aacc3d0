// The vacation reply itself (RFC 5230 §5, RFC 3834 §3): sent to the envelope sender with a null reverse-path,
// "Auto-Submitted: auto-replied", Subject from :subject or "Auto: " and the original subject, From from :from or
// the recipient, In-Reply-To and References pointing at the original. The reason is a UTF-8 text/plain body, or
// with :mime a MIME entity of its own. Pure: the caller supplies the time and the new Message-ID.

import type { VacationAction } from './actions.js';
import type { SieveEnvelope, SieveMessage } from './message.js';

export interface VacationReplyInput {
  action: VacationAction;
  message: SieveMessage;
  envelope: SieveEnvelope;
  now: Date;
  /** The reply's Message-ID, with angle brackets. */
  messageId: string;
}

export interface VacationReply {
  /** RFC 5230 §5: the reply goes out with the null reverse-path, so it cannot loop back as a bounce. */
  envelopeFrom: '';
  to: string;
  raw: Buffer;
}

const CRLF = '\r\n';

/** RFC 2047 B-encoding when the text is not plain ASCII, in words short enough for the 78-character line. */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 5230 §5.2 and RFC 3834 §3.1.5: "Auto: " and the original subject, without stacking prefixes. */
function replySubject(action: VacationAction, message: SieveMessage): string {
  if (action.subject !== null) return action.subject;
  const original = message.header('subject')[0]?.trim() ?? '';
  if (original === '') return 'Automated reply';
  return /^auto:/i.test(original) ? original : `Auto: ${original}`;
}

export function buildVacationReply(input: VacationReplyInput): VacationReply {
  const { action, message, envelope } = input;
  const to = envelope.from.replace(/^<|>$/g, '');
  const originalId = message.rawHeader('message-id')[0]?.trim();
  const references = [...(message.rawHeader('references')[0]?.split(/\s+/) ?? []), originalId].filter(Boolean);
  const headers = [
    `Date: ${rfc5322Date(input.now)}`,
    `From: ${encodeHeaderText(action.from ?? envelope.to)}`,
    `To: <${to}>`,
    `Subject: ${encodeHeaderText(replySubject(action, message))}`,
    `Message-ID: ${input.messageId}`,
    ...(originalId ? [`In-Reply-To: ${originalId}`, `References: ${references.join(' ')}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
  ];
  const reason = action.reason.replace(/\r?\n/g, CRLF);
  const body = action.mime
    ? reason
    : `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${reason}`;
  return { envelopeFrom: '', to, raw: Buffer.from(`${headers.join(CRLF)}${CRLF}${body}`) };
}
