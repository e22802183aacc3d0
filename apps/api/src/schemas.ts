/**
 * Request schemas (zod). Field names are snake_case on the wire. The OpenAPI document (openapi.ts) is generated
 * from these same schemas with z.toJSONSchema, so the two cannot drift apart.
 */
import { z } from 'zod';

const password = z.string().min(8, 'at least 8 characters').max(1024);

/** A quota: bytes, or a size such as "10GB" (quota-fields.ts turns it into bytes, a 400 naming the field else). */
const quotaValue = z.union([z.number(), z.string().max(32), z.null()]).optional();
const messageLimitValue = z.union([z.number(), z.null()]).optional();

export const accountCreate = z.strictObject({
  email: z.string().max(320),
  password,
  is_admin: z.boolean().optional(),
});

export const tokenCreate = z.strictObject({
  name: z.string().trim().min(1).max(100).default('api'),
});

export const dmarcPolicy = z.enum(['none', 'quarantine', 'reject']);

export const domainCreate = z.strictObject({
  name: z.string().min(1).max(1024),
  dmarc_policy: dmarcPolicy.optional(),
  description: z.string().max(1000).optional(),
  /** Administrators only: hosted for routing at once, without the DNS ownership check. */
  verified: z.boolean().optional(),
  /** Every alias of the domain verifies its external forwards (Forward Email's domain-wide setting). */
  has_recipient_verification: z.boolean().optional(),
  /** Default limit of each mailbox (bytes or "10GB"); null for the server default. */
  max_quota_per_alias: quotaValue,
  /** Cap of all the domain's mailboxes together (bytes or "10GB"); null for none. */
  max_quota: quotaValue,
  /**
   * Forward Email's `catchall`: true makes a catch-all alias ('*') forwarding to your account's email address;
   * text, to these addresses (separated by commas, spaces or line breaks); false or absent, none.
   */
  catchall: z.union([z.boolean(), z.string().max(32_000)]).optional(),
});

/** Administrators only: mark any account's domain verified (hosted for routing) or not. */
export const domainVerification = z.strictObject({ verified: z.boolean() });

export const domainUpdate = z.strictObject({
  /** Default limit of each mailbox (bytes or "10GB"); null for the server default. */
  max_quota_per_alias: quotaValue,
  /** Cap of all the domain's mailboxes together (bytes or "10GB"); null for none. */
  max_quota: quotaValue,
  dmarc_policy: dmarcPolicy.optional(),
  description: z.string().max(1000).optional(),
  /** Every alias of the domain verifies its external forwards; switching it on emails the links. */
  has_recipient_verification: z.boolean().optional(),
});

const recipients = z.array(z.string().max(320)).max(100);

/**
 * `name`: an exact local part, '*' (catch-all), a wildcard (`sales*`) or a regular expression between slashes
 * (`/^support-\\d+$/`, RE2 syntax); the control store refuses unsafe or catch-all-like patterns with a 400.
 */
export const aliasCreate = z.strictObject({
  name: z.string().min(1).max(130),
  recipients: recipients.optional(),
  has_imap: z.boolean().optional(),
  /** Bytes, or a size such as "10GB"; null inherits the domain's per-alias limit, then the server default. */
  max_quota: quotaValue,
  /** Messages the mailbox may hold (IMAP's MESSAGE resource); null for no limit. */
  max_messages: messageLimitValue,
  is_enabled: z.boolean().optional(),
  description: z.string().max(1000).optional(),
  /** Short tags (letters, digits, . _ : / -), lowercased; at most 20 of at most 50 characters. */
  labels: z.array(z.string().max(50)).max(20).optional(),
  /** RCPT TO answer while disabled: 250 accept and discard, 421 defer (sent as 450 4.2.1), 550 refuse. */
  error_code_if_disabled: z.union([z.literal(250), z.literal(421), z.literal(550)]).optional(),
  /** External forward recipients get mail only after confirming the verification email sent to them. */
  has_recipient_verification: z.boolean().optional(),
});

export const aliasUpdate = aliasCreate.partial();

/**
 * Mailbox passwords. First call: creates the mailbox with `new_password` or a generated one. Later calls must
 * prove access with the current `password` or the `recovery_key`, because the server cannot unwrap the mailbox
 * data key on its own (zero-access design).
 */
export const generatePassword = z.strictObject({
  new_password: password.optional(),
  password: z.string().max(1024).optional(),
  recovery_key: z.string().max(1024).optional(),
});

export const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  sort: z.enum(['name', '-name', 'created_at', '-created_at']).default('name'),
  name: z.string().max(253).optional(),
});

/** The alias list also filters by label. */
export const aliasListQuery = listQuery.extend({
  label: z.string().max(50).optional().describe('Only aliases carrying this label'),
});

const verificationToken = z.string().min(1).max(200);

/** GET /v1/aliases/verify: the token of a recipient verification email (the link's page; nothing changes). */
export const recipientVerificationQuery = z.object({ token: verificationToken });

/** POST /v1/aliases/verify: the token in the body (the page's form, or an API client) confirms. */
export const recipientVerificationConfirm = z.strictObject({ token: verificationToken });

/** POST .../recipient-verifications/resend: which external forward gets a new link. */
export const recipientVerificationResend = z.strictObject({ recipient: z.string().min(3).max(320) });

/** A member's role in a domain (docs/api.md, "Domain members and invites", has what each may do). */
export const domainRole = z.enum(['admin', 'user']);

export const inviteCreate = z.strictObject({
  email: z.string().min(3).max(320),
  role: domainRole.default('user'),
});

/** Forward Email's DELETE /v1/domains/:domain/invites names the invite by email in the body. */
export const inviteRevoke = z.strictObject({ email: z.string().min(3).max(320) });

export const memberUpdate = z.strictObject({ role: domainRole });
