/**
 * Response shapes (zod), used for the OpenAPI document and checked against real responses in the tests, so the
 * document describes what the server actually sends. present.ts builds these objects.
 */
import { z } from 'zod';

const isoTime = z.iso.datetime();

export const accountOut = z.strictObject({
  id: z.string(),
  email: z.string(),
  is_admin: z.boolean(),
  created_at: isoTime,
});

export const tokenOut = z.strictObject({
  id: z.string(),
  name: z.string(),
  created_at: isoTime,
  last_used_at: isoTime.nullable(),
  revoked_at: isoTime.nullable(),
});

export const issuedTokenOut = tokenOut.extend({ secret: z.string() });

export const signUpOut = z.strictObject({ account: accountOut, token: issuedTokenOut });

const dnsRecord = z.strictObject({
  purpose: z.enum(['mx', 'spf', 'dkim', 'dmarc', 'verification']),
  type: z.enum(['MX', 'TXT']),
  name: z.string(),
  value: z.string(),
  priority: z.number().int().optional(),
});

const recordStatus = z.enum(['ok', 'missing', 'wrong']);

export const domainSummaryOut = z.strictObject({
  id: z.string(),
  name: z.string(),
  name_unicode: z.string(),
  dmarc_policy: z.enum(['none', 'quarantine', 'reject']),
  description: z.string(),
  /** Hosted for routing: its ownership TXT record was found, or an administrator marked it. */
  verified: z.boolean(),
  created_at: isoTime,
});

const verifiedBy = z.enum(['dns', 'admin', 'migration']).nullable();

export const domainOut = domainSummaryOut.extend({
  verified_at: isoTime.nullable(),
  verified_by: verifiedBy,
  dkim_selector: z.string(),
  verification_token: z.string(),
  last_dns_check: z
    .strictObject({
      checked_at: isoTime,
      all_ok: z.boolean(),
      records: z.array(
        z.strictObject({ purpose: z.string(), type: z.string(), name: z.string(), status: recordStatus }),
      ),
    })
    .nullable(),
  dns_records: z.array(dnsRecord),
  /** Default storage limit of each mailbox in bytes; null for the server default. */
  max_quota_per_alias: z.number().int().nullable(),
  /** Cap of all the domain's mailboxes together, in bytes; null for none. */
  max_quota: z.number().int().nullable(),
  /** Sums over the domain's mailboxes, as last reported. */
  storage_used: z.number().int(),
  message_count: z.number().int(),
  /** Every alias of the domain verifies its external forwards (Forward Email's domain setting). */
  has_recipient_verification: z.boolean(),
});

export const verifyRecordsOut = z.strictObject({
  domain: z.string(),
  checked_at: isoTime,
  all_ok: z.boolean(),
  verified: z.boolean(),
  verified_by: verifiedBy,
  records: z.array(dnsRecord.extend({ status: recordStatus, found: z.array(z.string()) })),
});

export const aliasOut = z.strictObject({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  recipients: z.array(z.string()),
  has_imap: z.boolean(),
  is_enabled: z.boolean(),
  description: z.string(),
  has_mailbox: z.boolean(),
  /** The alias's own storage limit in bytes; null inherits (the domain's max_quota_per_alias, then the server default). */
  max_quota: z.number().int().nullable(),
  /** The alias's message-count limit; null for none. */
  max_messages: z.number().int().nullable(),
  /** The limit in force: own, else the domain's per-alias limit, else the server default, lowered by the domain's cap. */
  effective_max_quota: z.number().int(),
  /** Bytes and messages stored, as the mailbox last reported them (after each change while it is unlocked). */
  storage_used: z.number().int(),
  message_count: z.number().int(),
  labels: z.array(z.string()),
  error_code_if_disabled: z.union([z.literal(250), z.literal(421), z.literal(550)]),
  has_recipient_verification: z.boolean(),
  /** 'exact' (including '*'), 'wildcard' or 'regex'. */
  pattern_kind: z.enum(['exact', 'wildcard', 'regex']),
  created_at: isoTime,
  updated_at: isoTime,
});

/** An alias's external forward recipients under verification: pending until verified_at is set. */
export const recipientVerificationsOut = z.array(
  z.strictObject({ recipient: z.string(), sent_at: isoTime, verified_at: isoTime.nullable() }),
);

export const recipientResentOut = z.strictObject({ recipient: z.string(), sent_at: isoTime });

/** GET /v1/aliases/verify as JSON: which recipient and alias the link is for, and whether it confirmed. */
export const recipientVerificationOut = z.strictObject({
  recipient: z.string(),
  alias: z.string(),
  verified: z.boolean(),
});

/** POST /v1/aliases/verify as JSON: the recipient confirmed (now, or before). */
export const recipientVerifiedOut = z.strictObject({
  recipient: z.string(),
  alias: z.string(),
  verified: z.literal(true),
});

export const mailboxPasswordOut = z.strictObject({
  address: z.string(),
  username: z.string(),
  password: z.string(),
  recovery_key: z.string().optional(),
  mailbox_created: z.boolean(),
});
