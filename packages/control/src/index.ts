/**
 * @mailyard/control — the control store: accounts, API tokens, dashboard sessions, hosted domains with their DKIM
 * keys, aliases (forwarding and mailbox credentials), Sieve scripts per alias (sieve-scripts.ts: the checks before
 * every write), the outbound queue and its delivery log, messages sent through the REST API (sent_emails), each
 * domain's mail log (mail events, 30 days), and webhooks (each domain's sealed signing secret, the webhook queue,
 * event webhooks; webhook-urls.ts holds the rules for webhook URLs against server-side request forgery).
 *
 * Backend: `SqliteControlStore` (`<dataDir>/control.db`, encrypted with a key derived from the master key under the
 * label 'control.db') is the only one built. A MongoDB backend is not built (its setting, MAILYARD_MONGODB_URI, is
 * refused at config load); any second backend goes behind the same `ControlStore` interface and must pass
 * `runControlStoreContract` (test/contract.ts).
 *
 * Invariants:
 * - Domain names are stored lowercased in ASCII (IDNA punycode); alias names lowercased; '*' is the catch-all.
 * - The first account is an administrator, decided atomically with its insert (an IMMEDIATE transaction), so the
 *   API, every web process and the CLI racing for it make exactly one.
 * - Secrets never sit in clear: account and mailbox passwords as scrypt hashes, API tokens and dashboard session
 *   ids as SHA-256 digests, DKIM private keys and queued message bodies sealed with AES-256-GCM under keys derived
 *   from the master key.
 * - Scoped lookups (account -> domain -> alias) return null outside their scope, so callers cannot tell "not
 *   yours" from "does not exist".
 * - Only verified domains are hosted for routing (isHostedDomain, resolveRecipient): verified by DNS (the ownership
 *   TXT record, domain-verification.ts), by an administrator, or by the schema-6 migration for domains that existed
 *   before the rule. A public suffix cannot be added; a domain, its parents and its subdomains belong to one
 *   account (ConflictError), so no account can claim names under another's domain to capture its mail.
 * - Every password check (account or mailbox) runs the KDF once, with the same cost, whether or not the user
 *   exists, is disabled or has a password: timing does not tell which users exist.
 * - Recipient resolution (RFC 5233 subaddressing): exact alias, then `local+tag` without the tag, then pattern
 *   aliases (alias-patterns.ts: wildcards, then RE2 regular expressions, on the local part then its base), then
 *   '*'. The first alias found decides: a disabled one answers by its errorCodeIfDisabled rather than falling
 *   through (routeRecipient; resolveRecipient treats it as absent).
 * - Mailbox passwords here only let SMTP AUTH check a login; the mailbox data key is wrapped in the mail store.
 *   issueMailboxPassword never changes an existing mailbox's password without its current password or recovery key.
 *
 * Domain logic shared by the REST API, the dashboard and the CLI also lives here: adding a domain with its DKIM key
 * (domain-setup.ts), the DNS records it must publish and their check (dns-records.ts), what a check does to
 * verification (domain-verification.ts), and mailbox passwords
 * (mailbox-password.ts). Backups ask controlBackupFiles (backup-files.ts) what to copy.
 */
import { SqliteControlStore, type SqliteControlStoreOptions } from './sqlite.js';
import type { ControlStore } from './types.js';

export {
  domainToDisplay,
  isValidAliasName,
  normalizeDomain,
  normalizeRecipient,
  splitAddress,
  stripSubaddress,
} from './addresses.js';
export { ALIAS_LABEL_LIMITS, DISABLED_ANSWERS, normalizeLabels } from './alias-fields.js';
export { ALIAS_PATTERN_LIMITS, classifyAliasName, patternTest } from './alias-patterns.js';
export { CONTROL_DATABASE_FILE, type ControlBackupFiles, controlBackupFiles } from './backup-files.js';
export {
  type CheckedRecord,
  checkRecords,
  type DnsRecord,
  defaultResolver,
  expectedRecords,
  type RecordPurpose,
  type TxtMxResolver,
  VERIFICATION_PREFIX,
} from './dns-records.js';
export { addDomain, type DkimKeyPair, dkimSelector, generateDkimKeyPair } from './domain-setup.js';
export { checkDomain, type DomainCheck } from './domain-verification.js';
export {
  generateMailboxPassword,
  type IssuedPassword,
  issueMailboxPassword,
  type MailboxAdmin,
  newMailboxId,
  type PasswordRequest,
} from './mailbox-password.js';
export {
  type AliasQuotaPatch,
  type DomainQuota,
  type DomainQuotaPatch,
  type EffectiveQuota,
  type MailboxQuotaRecord,
  type MailboxUsage,
  parseMessageLimit,
  parseQuota,
  resolveQuota,
} from './quotas.js';
export {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  type KdfObserver,
  type ScryptCost,
  SecretBox,
  verifyPassword,
} from './secrets.js';
export {
  checkedScriptName,
  checkScriptContent,
  checkScriptCount,
  checkScriptSize,
  SIEVE_STORAGE_LIMITS,
} from './sieve-scripts.js';
export { SqliteControlStore, type SqliteControlStoreOptions } from './sqlite.js';
export { MAIL_EVENT_RETENTION_MS } from './sqlite-mail-events.js';
export { SCHEMA_VERSION } from './sqlite-schema.js';
export type * from './types.js';
export {
  isNonPublicAddress,
  isWebhookUrl,
  normalizeWebhookUrl,
  webhookHost,
  webhookUrlRefusal,
} from './webhook-urls.js';

/** The control store of a data dir: SQLite, the only backend built. */
export function openControlStore(opts: SqliteControlStoreOptions): ControlStore {
  return new SqliteControlStore(opts);
}
