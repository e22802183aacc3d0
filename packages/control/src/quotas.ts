/**
 * Quotas: how the limit of one mailbox is decided, and the size notation people type.
 *
 * Storage limit of a mailbox: the alias's own max_quota, else its domain's max_quota_per_alias, else the server
 * default (`mailbox.quotaBytes`). A domain's max_quota caps the sum of its mailboxes: a mailbox may then grow only
 * by what the domain has left, so its effective limit is the smaller of the two. The message-count limit
 * (max_messages, IMAP's MESSAGE resource, RFC 9208 §5.2) exists only where it was set on the alias.
 *
 * Usage is what the mailbox last reported (sessions that hold it unlocked write it after each change) plus the
 * sealed spool entries not yet drained into it (bytes from their file sizes, at least one message per file), which
 * the MX counts: delivery enforces the quota without unlocking the mailbox.
 */
import { ValidationError } from '@mailyard/errors';

/** The quota settings and last known usage of one mailbox and its domain, as stored. */
export interface MailboxQuotaRecord {
  aliasId: string;
  domainId: string;
  /** The alias's own limits; null inherits. */
  maxQuota: number | null;
  maxMessages: number | null;
  storageUsed: number;
  messageCount: number;
  domainMaxQuotaPerAlias: number | null;
  domainMaxQuota: number | null;
  /**
   * storage_used summed over every alias of the domain (this one included); null when the domain has no max_quota
   * (nothing limits the sum, so it is not worked out).
   */
  domainStorageUsed: number | null;
}

export interface AliasQuotaPatch {
  maxQuota?: number | null;
  maxMessages?: number | null;
}

export interface DomainQuota {
  maxQuotaPerAlias: number | null;
  maxQuota: number | null;
  storageUsed: number;
  messageCount: number;
}

export interface DomainQuotaPatch {
  maxQuotaPerAlias?: number | null;
  maxQuota?: number | null;
}

export interface MailboxUsage {
  bytes: number;
  messages: number;
}

/** The limits that apply to one mailbox now. */
export interface EffectiveQuota {
  /** The mailbox's own storage limit (alias → domain per-alias → server default). */
  mailboxBytes: number;
  /** What the mailbox may hold now: mailboxBytes, lowered to what the domain's cap leaves it. */
  bytes: number;
  /** Message-count limit; null when none is set. */
  messages: number | null;
  usedBytes: number;
  usedMessages: number;
}

/** Resolves the limits of a mailbox (see the module comment). `spooled` is its undrained spool. */
export function resolveQuota(
  record: MailboxQuotaRecord,
  serverDefaultBytes: number,
  spooled: { bytes: number; messages: number } = { bytes: 0, messages: 0 },
): EffectiveQuota {
  const mailboxBytes = record.maxQuota ?? record.domainMaxQuotaPerAlias ?? serverDefaultBytes;
  let bytes = mailboxBytes;
  if (record.domainMaxQuota !== null) {
    const others = Math.max(0, (record.domainStorageUsed ?? 0) - record.storageUsed);
    bytes = Math.min(bytes, Math.max(0, record.domainMaxQuota - others));
  }
  return {
    mailboxBytes,
    bytes,
    messages: record.maxMessages,
    usedBytes: record.storageUsed + spooled.bytes,
    usedMessages: record.messageCount + spooled.messages,
  };
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Largest quota accepted: 2^53 - 1 bytes, the largest integer a JSON number carries exactly. */
const MAX_QUOTA = Number.MAX_SAFE_INTEGER;

/**
 * A quota in bytes from a number or a size string ("10GB", "512 MB", "1.5GiB"; units are powers of 1024, as
 * Forward Email reads them). null clears the setting. ValidationError naming `field` for anything else.
 */
export function parseQuota(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return checkedQuota(value, field);
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
    if (match && unit !== undefined) return checkedQuota(Math.floor(Number(match[1]) * unit), field);
  }
  throw new ValidationError('must be a number of bytes or a size such as "10GB", or null', field);
}

function checkedQuota(bytes: number, field: string): number {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_QUOTA) {
    throw new ValidationError(`must be a whole number of bytes from 0 to ${MAX_QUOTA}`, field);
  }
  return bytes;
}

/** A message-count limit: a whole number from 0, or null to clear it. */
export function parseMessageLimit(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_QUOTA) return value;
  throw new ValidationError('must be a whole number of messages from 0, or null', field);
}
