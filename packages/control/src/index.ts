/**
 * @mailyard/control — the control store: accounts, API tokens, dashboard sessions, hosted domains with their DKIM
 * keys, aliases (forwarding and mailbox credentials), the outbound queue and its delivery log.
 *
 * Backend: `SqliteControlStore` (`<dataDir>/control.db`, encrypted with a key derived from the master key under the
 * label 'control.db') is the only one built. A MongoDB backend is not built (its setting, MAILYARD_MONGODB_URI, is
 * refused at config load); any second backend goes behind the same `ControlStore` interface and must pass
 * `runControlStoreContract` (src/contract.ts).
 *
 * Invariants:
 * - Domain names are stored lowercased in ASCII (IDNA punycode); alias names lowercased; '*' is the catch-all.
 * - The first account is an administrator, decided atomically with its insert (an IMMEDIATE transaction), so the
 *   API, every web process and the CLI racing for it make exactly one.
 * - Checking an account password runs the KDF even for an unknown email (against a dummy hash): equal timing.
 * - Secrets never sit in clear: account and mailbox passwords as scrypt hashes, API tokens and dashboard session
 *   ids as SHA-256 digests, DKIM private keys and queued message bodies sealed with AES-256-GCM under keys derived
 *   from the master key.
 * - Scoped lookups (account -> domain -> alias) return null outside their scope, so callers cannot tell "not
 *   yours" from "does not exist".
 * - Recipient resolution (RFC 5233 subaddressing): exact alias, then `local+tag` without the tag, then '*'.
 *   The first alias found decides: a disabled one rejects the address rather than falling through.
 * - Mailbox passwords here only let SMTP AUTH check a login; the mailbox data key is wrapped in the mail store.
 *   issueMailboxPassword never changes an existing mailbox's password without its current password or recovery key.
 *
 * Domain logic shared by the REST API, the dashboard and the CLI also lives here: adding a domain with its DKIM key
 * (domain-setup.ts), the DNS records it must publish and their check (dns-records.ts), and mailbox passwords
 * (mailbox-password.ts).
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
export {
  generateMailboxPassword,
  type IssuedPassword,
  issueMailboxPassword,
  type MailboxAdmin,
  newMailboxId,
  type PasswordRequest,
} from './mailbox-password.js';
export { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost, SecretBox, verifyPassword } from './secrets.js';
export { SqliteControlStore, type SqliteControlStoreOptions } from './sqlite.js';
export { SCHEMA_VERSION } from './sqlite-schema.js';
export type * from './types.js';

/** The control store of a data dir: SQLite, the only backend built. */
export function openControlStore(opts: SqliteControlStoreOptions): ControlStore {
  return new SqliteControlStore(opts);
}
