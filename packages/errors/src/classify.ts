/**
 * Sorting any thrown value into one reply kind. This is the single place that decides what is a code bug:
 * a bug gets a generic reply on every protocol and a full log entry at error level.
 */
import {
  AuthenticationError,
  ConflictError,
  ExternalError,
  InputSyntaxError,
  MailyardError,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  StorageFullError,
  TimeoutError,
  TryAgainLaterError,
  UserError,
  ValidationError,
} from './classes.js';

export type ReplyKind =
  | 'syntax'
  | 'validation'
  | 'authentication'
  | 'permission'
  | 'notFound'
  | 'conflict'
  | 'quota'
  | 'rateLimit'
  | 'tooLarge'
  | 'user'
  | 'external'
  | 'tryAgainLater'
  | 'timeout'
  | 'serverTemporary'
  | 'storageFull'
  | 'bug';

export interface Classification {
  kind: ReplyKind;
  /** Stable code for replies and metric labels (IMAP response-code style). */
  code: string;
  temporary: boolean;
  /** Text safe to send to the client. */
  publicMessage: string;
  retryAfterMs?: number;
  /** HTTP status carried by a client error from the HTTP stack (Koa's ctx.throw, http-errors, Boom). */
  httpStatus?: number;
  /** The original error when it is one of ours. */
  error?: MailyardError;
}

export const INTERNAL_ERROR_TEXT = 'Internal server error';

const BUILT_IN_BUG_TYPES: readonly (new (...args: never[]) => Error)[] = [
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
];

/** Network failures talking to someone else (Node net/dns and nodemailer codes): external, temporary. */
const EXTERNAL_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ETIMEOUT',
  'ENOTFOUND',
  'ENODATA',
  'ESERVFAIL',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
]);

/**
 * OpenSSL errors from a TLS handshake or record (ERR_SSL_WRONG_VERSION_NUMBER when a client sends plain text
 * after STARTTLS, ERR_SSL_SSLV3_ALERT_... from the peer): what the other side sent, not a bug of ours.
 */
const TLS_PEER_CODES = /^ERR_SSL_/;

/** Conditions of this machine that an operator fixes (permissions, descriptor limits, memory): temporary. */
const SERVER_TEMPORARY_SYSTEM_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE', 'ENOMEM']);

/** A full disk or filesystem quota: writes fail until space is freed, reads still work (StorageFullError). */
const STORAGE_FULL_SYSTEM_CODES = new Set(['ENOSPC', 'EDQUOT']);

/**
 * SQLite result codes that mean "busy" or "disk full" are temporary server conditions, not bugs: the same
 * statement succeeds once the other writer finishes or space is freed. Every other SQLite error (constraint,
 * misuse, corrupt, wrong key) is a bug in our code or data and is reported as one.
 */
const SQLITE_BUSY_CODES = /^SQLITE_(BUSY|LOCKED)(_|$)/;
const SQLITE_FULL_CODES = /^SQLITE_FULL(_|$)/;

const EXTERNAL_TEXT = 'A service this server depends on is unavailable, try again later';
const SERVER_TEMPORARY_TEXT = 'Server temporarily unable to complete the request, try again later';
const BUSY_TEXT = 'Server busy, try again later';
const STORAGE_FULL_TEXT = 'Not enough disk space on the server, try again later';

export function isCodeBug(err: unknown): boolean {
  return classify(err).kind === 'bug';
}

export function classify(err: unknown): Classification {
  if (err instanceof MailyardError) return classifyOwn(err);
  if (err instanceof AggregateError) return classifyAggregate(err);
  if (!(err instanceof Error)) return bug();
  if (BUILT_IN_BUG_TYPES.some((type) => err instanceof type)) return bug();
  return classifyByShape(err);
}

function classifyOwn(err: MailyardError): Classification {
  const kind = ownKind(err);
  const base = { kind, code: err.code, temporary: err.temporary, error: err };
  if (kind === 'bug') return { ...base, publicMessage: INTERNAL_ERROR_TEXT };
  const retryAfterMs = 'retryAfterMs' in err && typeof err.retryAfterMs === 'number' ? err.retryAfterMs : undefined;
  return { ...base, publicMessage: err.message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

function ownKind(err: MailyardError): ReplyKind {
  if (err instanceof InputSyntaxError) return 'syntax';
  if (err instanceof UserError) return userKind(err);
  if (err instanceof ExternalError) return 'external';
  if (err instanceof TryAgainLaterError) return 'tryAgainLater';
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof StorageFullError) return 'storageFull';
  if (err instanceof ServerError && err.temporary) return 'serverTemporary';
  return 'bug';
}

function userKind(err: UserError): ReplyKind {
  if (err instanceof ValidationError) return 'validation';
  if (err instanceof AuthenticationError) return 'authentication';
  if (err instanceof PermissionError) return 'permission';
  if (err instanceof NotFoundError) return 'notFound';
  if (err instanceof ConflictError) return 'conflict';
  if (err instanceof QuotaExceededError) return 'quota';
  if (err instanceof RateLimitError) return 'rateLimit';
  if (err instanceof MessageTooLargeError) return 'tooLarge';
  return 'user';
}

/** An AggregateError is a bug when any error inside it is (or it is empty); otherwise it takes its first's kind. */
function classifyAggregate(err: AggregateError): Classification {
  const inner: unknown[] = Array.isArray(err.errors) ? err.errors : [];
  if (inner.length === 0 || inner.some(isCodeBug)) return bug();
  return classify(inner[0]);
}

function classifyByShape(err: Error): Classification {
  const status = httpClientStatus(err);
  if (status !== undefined) return classifyHttpClientError(err, status);
  const code = stringCode(err);
  if (err.name === 'AbortError') return external('UNAVAILABLE', 'Request aborted');
  if (err.name === 'TimeoutError')
    return { kind: 'timeout', code: 'UNAVAILABLE', temporary: true, publicMessage: 'Timed out' };
  if (code === undefined) return bug();
  if (EXTERNAL_SYSTEM_CODES.has(code) || TLS_PEER_CODES.test(code)) return external('UNAVAILABLE', EXTERNAL_TEXT);
  if (STORAGE_FULL_SYSTEM_CODES.has(code) || SQLITE_FULL_CODES.test(code)) {
    return { kind: 'storageFull', code: 'OVERQUOTA', temporary: true, publicMessage: STORAGE_FULL_TEXT };
  }
  if (SERVER_TEMPORARY_SYSTEM_CODES.has(code)) {
    return { kind: 'serverTemporary', code: 'UNAVAILABLE', temporary: true, publicMessage: SERVER_TEMPORARY_TEXT };
  }
  if (SQLITE_BUSY_CODES.test(code))
    return { kind: 'tryAgainLater', code: 'LIMIT', temporary: true, publicMessage: BUSY_TEXT };
  return bug();
}

/** HTTP client errors thrown by Koa and its middleware (bad JSON, body too large): 4xx, with a public message. */
const HTTP_CLIENT_KINDS: Record<number, readonly [ReplyKind, string]> = {
  400: ['syntax', 'SYNTAX'],
  401: ['authentication', 'AUTHENTICATIONFAILED'],
  403: ['permission', 'NOPERM'],
  404: ['notFound', 'NONEXISTENT'],
  409: ['conflict', 'ALREADYEXISTS'],
  413: ['tooLarge', 'TOOBIG'],
  429: ['rateLimit', 'LIMIT'],
};

/** The status of an http-errors error marked `expose` or of a Boom error, when it is 4xx. */
function httpClientStatus(err: Error): number | undefined {
  const shape = err as { status?: unknown; expose?: unknown; isBoom?: unknown; output?: { statusCode?: unknown } };
  const status = shape.isBoom === true ? shape.output?.statusCode : shape.expose === true ? shape.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function classifyHttpClientError(err: Error, status: number): Classification {
  const [kind, code] = HTTP_CLIENT_KINDS[status] ?? ['user', 'CANNOT'];
  return { kind, code, temporary: status === 429, publicMessage: err.message, httpStatus: status };
}

function stringCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function external(code: string, publicMessage: string): Classification {
  return { kind: 'external', code, temporary: true, publicMessage };
}

function bug(): Classification {
  return { kind: 'bug', code: 'SERVERBUG', temporary: false, publicMessage: INTERNAL_ERROR_TEXT };
}
