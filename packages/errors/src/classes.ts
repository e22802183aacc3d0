/**
 * Error classes grouped by who is at fault. Throw these from anywhere; map them to a wire reply only at the
 * protocol edge (see replies.ts). `message` is public (it may reach the client); `details` are for the log only.
 */

export type Fault = 'syntax' | 'user' | 'external' | 'server';

export interface MailyardErrorOptions {
  /** Internal detail for the log; never sent to a client. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the class's stable code, e.g. 'PRIVACYREQUIRED' on a UserError (RFC 5530 response codes). */
  code?: string;
  /** Overrides the class's default: a temporary error invites the client to retry the same request later. */
  temporary?: boolean;
}

/** How long a client should wait before retrying when nothing better is known (a byte budget drains in seconds). */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

export abstract class MailyardError extends Error {
  abstract readonly fault: Fault;
  readonly code: string;
  readonly temporary: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, defaults: { code: string; temporary: boolean }, options: MailyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaults.code;
    this.temporary = options.temporary ?? defaults.temporary;
    this.details = options.details;
  }
}

/** The client sent something that does not parse: IMAP BAD, SMTP 500, HTTP 400. */
export class InputSyntaxError extends MailyardError {
  readonly fault = 'syntax';
  constructor(message: string, options?: MailyardErrorOptions) {
    super(message, { code: 'SYNTAX', temporary: false }, options);
  }
}

/** The request parsed but cannot be done for this user; retrying the same request will not help. */
export class UserError extends MailyardError {
  readonly fault = 'user';
  constructor(message: string, options?: MailyardErrorOptions, defaults = { code: 'CANNOT', temporary: false }) {
    super(message, defaults, options);
  }
}

/** A value is well-formed but not acceptable. The field name leads the message so every protocol shows it. */
export class ValidationError extends UserError {
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: MailyardErrorOptions) {
    super(field === undefined ? message : `${field}: ${message}`, options);
    this.field = field;
  }
}

export class AuthenticationError extends UserError {
  constructor(message = 'Authentication failed', options?: MailyardErrorOptions) {
    super(message, options, { code: 'AUTHENTICATIONFAILED', temporary: false });
  }
}

export class PermissionError extends UserError {
  constructor(message = 'Permission denied', options?: MailyardErrorOptions) {
    super(message, options, { code: 'NOPERM', temporary: false });
  }
}

export class NotFoundError extends UserError {
  constructor(message = 'Not found', options?: MailyardErrorOptions) {
    super(message, options, { code: 'NONEXISTENT', temporary: false });
  }
}

export class ConflictError extends UserError {
  constructor(message = 'Already exists', options?: MailyardErrorOptions) {
    super(message, options, { code: 'ALREADYEXISTS', temporary: false });
  }
}

export class QuotaExceededError extends UserError {
  constructor(message = 'Quota exceeded', options?: MailyardErrorOptions) {
    super(message, options, { code: 'OVERQUOTA', temporary: false });
  }
}

export interface RateLimitErrorOptions extends MailyardErrorOptions {
  /** SMTP only: reply 421 and close the connection (too many connections) instead of 451 for this command. */
  closeConnection?: boolean;
}

/** The user went past a rate or connection limit; the same request succeeds after `retryAfterMs`. */
export class RateLimitError extends UserError {
  readonly retryAfterMs: number;
  readonly closeConnection: boolean;
  constructor(message: string, retryAfterMs: number, options: RateLimitErrorOptions = {}) {
    super(message, options, { code: 'LIMIT', temporary: true });
    this.retryAfterMs = retryAfterMs;
    this.closeConnection = options.closeConnection ?? false;
  }
}

export class MessageTooLargeError extends UserError {
  constructor(message = 'Message too large', options?: MailyardErrorOptions) {
    super(message, options, { code: 'TOOBIG', temporary: false });
  }
}

/** Something outside this server failed (DNS, a remote MTA, Redis): temporary by default. */
export class ExternalError extends MailyardError {
  readonly fault = 'external';
  constructor(message: string, options?: MailyardErrorOptions) {
    super(message, { code: 'UNAVAILABLE', temporary: true }, options);
  }
}

/**
 * This server failed. A plain (non-temporary) ServerError is a code bug: the client gets a generic reply and the
 * log gets the detail. Pass `temporary: true` for conditions an operator fixes (disk full, permissions).
 */
export class ServerError extends MailyardError {
  readonly fault = 'server';
  constructor(message: string, options?: MailyardErrorOptions, defaults = { code: 'SERVERBUG', temporary: false }) {
    super(message, defaults, options);
  }
}

export interface TryAgainLaterOptions extends MailyardErrorOptions {
  retryAfterMs?: number;
}

/** The server is busy (e.g. the in-flight byte budget is full); the same request will succeed later. */
export class TryAgainLaterError extends ServerError {
  readonly retryAfterMs: number;
  constructor(message = 'Server busy, try again later', options: TryAgainLaterOptions = {}) {
    super(message, options, { code: 'LIMIT', temporary: true });
    this.retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  }
}

/**
 * The disk (or filesystem quota) under the server's data is full: a write failed, reading still works. Temporary:
 * the same request succeeds once an operator frees space. Not the user's quota (QuotaExceededError).
 */
export class StorageFullError extends ServerError {
  constructor(message = 'Not enough disk space on the server, try again later', options?: MailyardErrorOptions) {
    super(message, options, { code: 'OVERQUOTA', temporary: true });
  }
}

/** An operation ran past its deadline. `what` names the operation (short, public, e.g. 'DATA'). */
export class TimeoutError extends ServerError {
  readonly what: string;
  readonly ms: number | undefined;
  constructor(what: string, ms?: number, options?: MailyardErrorOptions) {
    super(ms === undefined ? `${what} timed out` : `${what} timed out after ${ms} ms`, options, {
      code: 'UNAVAILABLE',
      temporary: true,
    });
    this.what = what;
    this.ms = ms;
  }
}
