/**
 * The one mapping from a classified error to a reply on each protocol. Code bugs always get a generic text:
 * nothing from the original error (message, details, stack, cause) is copied into a reply.
 */
import { Boom } from '@hapi/boom';
import { DEFAULT_RETRY_AFTER_MS } from './classes.js';
import { type Classification, classify, type ReplyKind } from './classify.js';

export interface SmtpReply {
  code: number;
  enhanced: string;
  message: string;
}

export interface ImapResponse {
  status: 'NO' | 'BAD';
  code?: string;
  text: string;
}

/** HTTP status per kind (RFC 9110 §15; 429 from RFC 6585 §4). */
const HTTP_STATUS: Record<ReplyKind, number> = {
  syntax: 400,
  validation: 400,
  user: 400,
  authentication: 401,
  permission: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  quota: 422,
  rateLimit: 429,
  external: 503,
  tryAgainLater: 503,
  timeout: 503,
  serverTemporary: 503,
  storageFull: 507, // RFC 4918 §11.5 Insufficient Storage
  bug: 500,
};

/** SMTP reply codes (RFC 5321 §4.2.3) with enhanced status codes (RFC 3463 §3; 5.7.8 from RFC 4954 §6). */
const SMTP_REPLY: Record<ReplyKind, readonly [number, string]> = {
  syntax: [500, '5.5.2'], // syntax error, command unrecognised
  validation: [501, '5.5.4'], // invalid command arguments
  user: [550, '5.0.0'],
  authentication: [535, '5.7.8'], // authentication credentials invalid
  permission: [550, '5.7.1'], // delivery not authorised
  notFound: [550, '5.1.1'], // bad destination mailbox address
  conflict: [550, '5.0.0'],
  quota: [552, '5.2.2'], // mailbox full
  tooLarge: [552, '5.3.4'], // message too big for system
  rateLimit: [451, '4.7.0'], // temporary policy refusal
  external: [451, '4.4.0'], // network or routing failure
  tryAgainLater: [452, '4.3.1'], // mail system full
  timeout: [451, '4.3.0'],
  serverTemporary: [451, '4.3.0'],
  storageFull: [452, '4.3.1'], // RFC 5321 §4.2.3 insufficient system storage; mail system full
  bug: [451, '4.3.0'], // temporary, so a sender retries once the bug is fixed instead of bouncing the message
};

/** IMAP response codes (RFC 5530 §3) for the kinds that do not carry their own user code. */
const IMAP_CODE: Partial<Record<ReplyKind, string>> = {
  external: 'UNAVAILABLE',
  timeout: 'UNAVAILABLE',
  serverTemporary: 'UNAVAILABLE',
  storageFull: 'OVERQUOTA', // as Dovecot answers a full disk: the write needs space the server does not have
  tryAgainLater: 'LIMIT',
  bug: 'SERVERBUG',
};

/** POP3 extended response codes (RFC 2449 §8, RFC 3206 §4-5). Kinds without one get a plain -ERR. */
const POP3_CODE: Partial<Record<ReplyKind, string>> = {
  authentication: 'AUTH',
  rateLimit: 'SYS/TEMP',
  external: 'SYS/TEMP',
  tryAgainLater: 'SYS/TEMP',
  timeout: 'SYS/TEMP',
  serverTemporary: 'SYS/TEMP',
  storageFull: 'SYS/TEMP',
  bug: 'SYS/PERM', // needs an operator; RFC 3206 §5 suggests telling the user to contact support
};

export function toBoom(err: unknown): Boom {
  const c = classify(err);
  const status = c.httpStatus ?? HTTP_STATUS[c.kind];
  const boom = new Boom(oneLine(c.publicMessage), { statusCode: status });
  boom.output.payload.message = oneLine(c.publicMessage);
  boom.output.payload.code = c.code;
  const field = c.error && 'field' in c.error ? c.error.field : undefined;
  if (typeof field === 'string') boom.output.payload.field = field;
  const retryAfter = retryAfterSeconds(c);
  if (retryAfter !== undefined) boom.output.headers['Retry-After'] = String(retryAfter);
  return boom;
}

/** Retry-After in whole seconds (RFC 9110 §10.2.3) for rate limits and every temporary server condition. */
function retryAfterSeconds(c: Classification): number | undefined {
  if (!c.temporary) return undefined;
  const ms = c.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  return Math.max(1, Math.ceil(ms / 1000));
}

export function toSmtpReply(err: unknown): SmtpReply {
  const c = classify(err);
  const [code, enhanced] = SMTP_REPLY[c.kind];
  const closes = c.kind === 'rateLimit' && c.error && 'closeConnection' in c.error && c.error.closeConnection === true;
  return { code: closes ? 421 : code, enhanced, message: oneLine(c.publicMessage) };
}

export function toImapResponse(err: unknown): ImapResponse {
  const c = classify(err);
  const text = oneLine(c.publicMessage);
  if (c.kind === 'syntax') return { status: 'BAD', text };
  return { status: 'NO', code: IMAP_CODE[c.kind] ?? c.code, text };
}

export function toPop3Response(err: unknown): string {
  const c = classify(err);
  const code = c.error?.code === 'INUSE' ? 'IN-USE' : POP3_CODE[c.kind];
  const text = oneLine(c.publicMessage);
  return code === undefined ? `-ERR ${text}` : `-ERR [${code}] ${text}`;
}

/** Replies are single lines on every protocol: a CR or LF in a message would inject a second reply. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
