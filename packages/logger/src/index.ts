/**
 * Mailyard logging: pino JSON lines on stdout ({time, level, name, pid, hostname, msg, ...}), pretty when a
 * person watches a terminal. Components and connections get child loggers carrying `{component, cid}`
 * (`childFor(logger, 'smtp', newConnectionId())`), so one session's lines can be found with one filter.
 *
 * Invariants:
 * - Secrets never reach the output: every logged object and every child binding is walked at every depth
 *   (redactSecrets), and fields named like passwords, tokens, API keys, secrets, authorization headers,
 *   cookies, private keys, the master key, or message bodies (body, raw, content, html) become '[Redacted]'.
 *   Passwords in URLs, Bearer/Basic credentials and PEM private keys inside strings are masked too.
 * - Errors are logged with type, message, stack and their own fields, redacted the same way.
 * - Every code bug logged at error level (reportError's "code bug" line, or an `err` that isCodeBug calls a bug)
 *   is counted process-wide (codeBugCount, codeBugsSince), so a test run fails when one is logged anywhere.
 * - Printf-style arguments (`logger.info('user %s', value)`) are not inspected: put data in the object.
 */

export type { MinimalLogger } from '@mailyard/errors';
export {
  CODE_BUG_MESSAGE,
  type CodeBugLine,
  codeBugCount,
  codeBugsSince,
  isCodeBugLine,
  recordCodeBug,
} from './code-bugs.js';
export { type CreateLoggerOptions, childFor, createLogger, type Logger, newConnectionId } from './logger.js';
export { isSecretKey, REDACTED, redactSecrets, redactText } from './redact.js';
