/**
 * @mailyard/limits: the limits that keep one busy or hostile client from hurting everyone else.
 *
 * - ByteBudget: the process-wide count of message bytes in flight (default 5 GiB, about 100 messages at the
 *   50 MiB maximum). DATA, APPEND and uploads reserve before they buffer; a full budget is a temporary
 *   TryAgainLaterError (SMTP 452 4.3.1, IMAP NO [LIMIT], HTTP 503), never an out-of-memory crash.
 *   meterStream() grows a reservation as a stream flows and enforces the message size limit on the way.
 * - readBoundedBody: the one HTTP request body reader (API JSON, dashboard forms), refusing a body over its limit
 *   by Content-Length before reading and cutting a streamed one off as soon as it passes (HTTP 413).
 * - withTimeout / deadline: per-operation deadlines (default 180 s, RFC 5321 §4.5.3.2) that fail with TimeoutError.
 * - RateLimiter over a RateLimitStore (memory now, Redis later) and ConnectionCounter per IP or user.
 * - LoginGate over a LoginFailureStore: the one failed-login gate (failures per IP and per user+IP, never per user
 *   alone, one-hour window) for SMTP, IMAP, POP3, the dashboard and the API.
 *
 * Invariants: a reservation is released exactly once (release is idempotent; `using` disposes it), so the budget
 * never goes negative and is back to zero when all work is done; timers never keep a process alive; counters
 * for idle keys are dropped, so memory does not grow with the number of clients ever seen.
 *
 * No on-disk state.
 */
export { TimeoutError } from '@mailyard/errors';
export { type BodyExchange, type BodyReaderOptions, readBoundedBody } from './body-reader.js';
export { ByteBudget, type Ledger, Reservation } from './byte-budget.js';
export { ConnectionCounter } from './connection-counter.js';
export { DEFAULTS } from './defaults.js';
export {
  LOGIN_FAILURE_WINDOW_MS,
  type LoginAttempt,
  type LoginFailureStore,
  LoginGate,
  type LoginGateOptions,
  type LoginVerdict,
  loginAddressKey,
  MemoryLoginFailureStore,
  type MemoryLoginFailureStoreOptions,
} from './login-gate.js';
export { MeteredStream, meterStream } from './meter-stream.js';
export {
  type Clock,
  MemoryRateLimitStore,
  type MemoryRateLimitStoreOptions,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimitResult,
  type RateLimitStore,
} from './rate-limiter.js';
export { deadline, withTimeout } from './timeout.js';
