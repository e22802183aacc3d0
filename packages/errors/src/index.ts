/**
 * @mailyard/errors: error classes grouped by who is at fault, and the one place that turns them into replies.
 *
 * Faults: `syntax` (the client sent something unparseable: IMAP BAD, SMTP 500, HTTP 400), `user` (parsed but not
 * allowed or not possible: IMAP NO [CODE] with RFC 5530 response codes, SMTP 5xx with RFC 3463 enhanced codes,
 * HTTP 4xx), `external` (DNS, remote MTAs, Redis: temporary, 4xx / 503) and `server` (ours). A server error is a
 * code bug unless it is marked temporary (TryAgainLaterError, TimeoutError, disk full).
 *
 * Invariants:
 * - `isCodeBug(err)` is true for built-in JS errors, SQLite errors other than busy/locked/full, unclassified
 *   values (plain Error, strings, objects) and plain ServerError. Node network errors (ECONNREFUSED, ENOTFOUND...)
 *   are external; EACCES/EMFILE and SQLITE_BUSY are temporary server conditions, ENOSPC/EDQUOT/SQLITE_FULL a
 *   full disk (StorageFullError: IMAP NO [OVERQUOTA], SMTP 452 4.3.1, POP3 -ERR [SYS/TEMP], HTTP 507); 4xx errors thrown by
 *   the HTTP stack (Koa's ctx.throw, http-errors with `expose`, Boom) keep their status as user errors.
 * - A code bug never leaks: every reply carries the generic "Internal server error"; the detail goes to the log
 *   through `reportError`. `details` on any error are logged only, never sent.
 * - Each protocol maps errors here and nowhere else: toBoom (HTTP, RFC 9110; Retry-After on 429/503),
 *   toSmtpReply (RFC 5321 §4.2, RFC 3463), toImapResponse (RFC 9051 §7.1, RFC 5530), toPop3Response
 *   (RFC 2449 §8, RFC 3206).
 * - Replies are single lines: CR and LF are removed from any message text.
 *
 * No on-disk state.
 */
export {
  AuthenticationError,
  ConflictError,
  DEFAULT_RETRY_AFTER_MS,
  ExternalError,
  type Fault,
  InputSyntaxError,
  MailyardError,
  type MailyardErrorOptions,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  type RateLimitErrorOptions,
  ServerError,
  StorageFullError,
  TimeoutError,
  TryAgainLaterError,
  type TryAgainLaterOptions,
  UserError,
  ValidationError,
} from './classes.js';
export { type Classification, classify, INTERNAL_ERROR_TEXT, isCodeBug, type ReplyKind } from './classify.js';
export type { MinimalLogger } from './minimal-logger.js';
export { type ImapResponse, type SmtpReply, toBoom, toImapResponse, toPop3Response, toSmtpReply } from './replies.js';
export { reportError } from './report.js';
