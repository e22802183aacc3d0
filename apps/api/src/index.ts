/**
 * @mailyard/api — the REST API (/v1) over the control store and the mail store: accounts and API tokens, hosted
 * domains with the DNS records they must publish (and a live check of them), aliases and mailbox passwords, and
 * a mailbox's own messages and folders; sending (/v1/emails, through @mailyard/smtp's submission flow), the mail
 * log of the account's domains (/v1/logs) and webhook settings (signing secret, event webhooks).
 *
 * HTTP: JSON bodies, Basic authentication (RFC 7617) with the API token as user name and an empty password,
 * errors as Boom payloads `{statusCode, error, message, code, field?}` mapped once from @mailyard/errors,
 * 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3), paging headers X-Page-*, Link (RFC 8288).
 * OpenAPI 3.1 at /v1/openapi.json. Human reference: docs/api.md.
 *
 * Invariants:
 * - Another account's domains and aliases answer 404, exactly like ones that do not exist.
 * - Secrets (API tokens, mailbox passwords, recovery keys) appear in exactly one response, the one creating them.
 * - The server never changes a mailbox password without the current password or the recovery key (zero-access).
 * - Mail (/v1/messages, /v1/folders, /v1/sieve-scripts) is reached only with the mailbox's own address and password
 *   (mailbox-auth.ts), never with an API token; another mailbox's message and folder ids answer 404.
 *
 * No on-disk state of its own: control.db and the mailboxes belong to @mailyard/control and @mailyard/mailstore.
 */

// The message sender an API is built with (ApiDeps.sender), for hosts and tests that build their own.
export { createMessageSender, type MessageSender } from '@mailyard/smtp/sender';
export { type ApiDeps, type ApiServer, configuredRateLimits, createApiServer, type RateLimits } from './app.js';
export { basicToken } from './auth.js';
export { OPERATIONS, openApiDocument } from './openapi.js';
export {
  RESEND_INTERVAL_MS,
  requestDomainVerifications,
  requestVerifications,
  resendVerification,
  type VerificationDeps,
} from './routes/alias-verification.js';
export { createApiSender, serveApi } from './serve.js';
