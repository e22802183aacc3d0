/** Row shapes of control.db and their mapping to the entities of types.ts. Private to the SQLite backend. */
import type {
  Account,
  Alias,
  ApiToken,
  DisabledAnswer,
  DmarcPolicy,
  DnsCheckResult,
  Domain,
  DomainVerifier,
  PatternKind,
  QueueItemSummary,
} from './types.js';

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  is_admin: number;
  created_at: number;
}

export interface TokenRow {
  id: string;
  account_id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface DomainRow {
  id: string;
  account_id: string;
  name: string;
  verification_token: string;
  dkim_selector: string;
  dkim_public_key: string;
  dkim_private_key: Buffer;
  dmarc_policy: string;
  description: string;
  last_dns_check: string | null;
  verified_at: number | null;
  verified_by: string | null;
  has_recipient_verification: number;
  created_at: number;
}

export interface AliasRow {
  id: string;
  domain_id: string;
  name: string;
  recipients: string;
  has_imap: number;
  is_enabled: number;
  description: string;
  mailbox_id: string | null;
  mailbox_password_hash: string | null;
  created_at: number;
  updated_at: number;
  can_send_as: string;
  labels: string;
  error_code_if_disabled: number;
  has_recipient_verification: number;
  pattern_kind: string;
}

export interface QueueRow {
  id: string;
  envelope_from: string;
  recipients: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  body: Buffer | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  dsn: string | null;
}

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toAccount(row: AccountRow): Account {
  return { id: row.id, email: row.email, isAdmin: row.is_admin === 1, createdAt: new Date(row.created_at) };
}

export function toToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    createdAt: new Date(row.created_at),
    lastUsedAt: dateOrNull(row.last_used_at),
    revokedAt: dateOrNull(row.revoked_at),
  };
}

function parseDnsCheck(json: string | null): DnsCheckResult | null {
  if (json === null) return null;
  const parsed = JSON.parse(json) as Omit<DnsCheckResult, 'checkedAt'> & { checkedAt: string };
  return { ...parsed, checkedAt: new Date(parsed.checkedAt) };
}

export function toDomain(row: DomainRow): Domain {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    verificationToken: row.verification_token,
    dkimSelector: row.dkim_selector,
    dkimPublicKey: row.dkim_public_key,
    dmarcPolicy: row.dmarc_policy as DmarcPolicy,
    description: row.description,
    lastDnsCheck: parseDnsCheck(row.last_dns_check),
    verifiedAt: dateOrNull(row.verified_at),
    verifiedBy: row.verified_by as DomainVerifier | null,
    hasRecipientVerification: row.has_recipient_verification === 1,
    createdAt: new Date(row.created_at),
  };
}

export function toAlias(row: AliasRow): Alias {
  return {
    id: row.id,
    domainId: row.domain_id,
    name: row.name,
    recipients: JSON.parse(row.recipients) as string[],
    hasImap: row.has_imap === 1,
    isEnabled: row.is_enabled === 1,
    description: row.description,
    mailboxId: row.mailbox_id,
    canSendAs: JSON.parse(row.can_send_as) as string[],
    labels: JSON.parse(row.labels) as string[],
    errorCodeIfDisabled: row.error_code_if_disabled as DisabledAnswer,
    hasRecipientVerification: row.has_recipient_verification === 1,
    patternKind: row.pattern_kind as PatternKind,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toQueueSummary(row: QueueRow): QueueItemSummary {
  return {
    id: row.id,
    envelopeFrom: row.envelope_from,
    recipients: JSON.parse(row.recipients) as QueueItemSummary['recipients'],
    state: row.state as QueueItemSummary['state'],
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    ...(row.dsn ? { dsn: JSON.parse(row.dsn) as QueueItemSummary['dsn'] } : {}),
  };
}
