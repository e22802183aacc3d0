/**
 * Entities of the control store and the repository interface every backend implements.
 * Ids are opaque strings, times are Dates, binary values are Buffers: nothing here knows about SQL or MongoDB.
 */
import type { AliasQuotaPatch, DomainQuota, DomainQuotaPatch, MailboxQuotaRecord, MailboxUsage } from './quotas.js';

export interface Account {
  id: string;
  email: string;
  isAdmin: boolean;
  createdAt: Date;
}

export interface NewAccount {
  email: string;
  password: string;
  /** Make the account an administrator. The first account of a server always becomes one, whatever this says. */
  isAdmin?: boolean;
  /** Create it only if it is the first account (closed sign-up); otherwise PermissionError, decided atomically. */
  onlyIfFirst?: boolean;
}

/** A dashboard login session. Its secret (the cookie value) is never stored, only its SHA-256. */
export interface WebSession {
  accountId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** Opaque text the dashboard keeps with the session (the message for its next page); null when none. */
  note: string | null;
}

/** A session as returned once at creation: `secret` (256 random bits, base64url) goes into the cookie. */
export interface IssuedSession {
  secret: string;
  session: WebSession;
}

export interface ApiToken {
  id: string;
  accountId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A token as returned once at creation: `secret` is never stored, only its SHA-256. */
export interface IssuedToken {
  token: ApiToken;
  secret: string;
}

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export type DnsRecordStatus = 'ok' | 'missing' | 'wrong';

export interface DnsCheckResult {
  checkedAt: Date;
  allOk: boolean;
  records: Array<{ purpose: string; type: string; name: string; status: DnsRecordStatus }>;
}

/**
 * Who verified a domain: 'dns' (its ownership TXT record was found), 'admin' (an administrator marked it), or
 * 'migration' (it existed before verification was required, schema version 6).
 */
export type DomainVerifier = 'dns' | 'admin' | 'migration';

export interface Domain {
  id: string;
  accountId: string;
  /** ASCII (punycode) form, lowercased: the key used everywhere. */
  name: string;
  verificationToken: string;
  dkimSelector: string;
  /** DKIM public key as base64 DER (SubjectPublicKeyInfo), the `p=` tag of the DKIM TXT record. */
  dkimPublicKey: string;
  dmarcPolicy: DmarcPolicy;
  description: string;
  lastDnsCheck: DnsCheckResult | null;
  /**
   * Null until verified. Only a verified domain is hosted for routing (isHostedDomain, resolveRecipient): mail to
   * an unverified one goes out by MX like any remote mail, so an account cannot capture mail for a name it
   * does not own.
   */
  verifiedAt: Date | null;
  verifiedBy: DomainVerifier | null;
  /**
   * Forward Email's domain-wide recipient verification: every alias of the domain verifies its external forwards,
   * whatever its own hasRecipientVerification says.
   */
  hasRecipientVerification: boolean;
  createdAt: Date;
}

/** A member's role in a domain: 'admin' manages everything, 'user' the aliases (docs/api.md has the matrix). */
export type DomainRole = 'admin' | 'user';

export interface DomainMember {
  domainId: string;
  accountId: string;
  email: string;
  role: DomainRole;
  /** The account holding the domain's claim (domains.account_id): always an admin, never removed. */
  isOwner: boolean;
  createdAt: Date;
}

export interface DomainInvite {
  id: string;
  domainId: string;
  email: string;
  role: DomainRole;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewDomainInvite {
  domainId: string;
  email: string;
  role: DomainRole;
  invitedBy: string;
  ttlMs: number;
}

/** The invite and its secret, shown once (only its SHA-256 is stored). */
export interface IssuedDomainInvite {
  invite: DomainInvite;
  secret: string;
}

export interface NewDomain {
  accountId: string;
  name: string;
  verificationToken: string;
  dkim: { selector: string; publicKey: string; privateKeyPem: string };
  dmarcPolicy?: DmarcPolicy;
  description?: string;
  /** Create it verified by an administrator (callers check that the requester is one). */
  verified?: boolean;
}

export interface DomainPatch {
  dmarcPolicy?: DmarcPolicy;
  description?: string;
  hasRecipientVerification?: boolean;
}

export interface Alias {
  id: string;
  domainId: string;
  /** Local part, lowercased; '*' is the catch-all. */
  name: string;
  recipients: string[];
  hasImap: boolean;
  isEnabled: boolean;
  description: string;
  /** Mail store mailbox id once a mailbox password was generated. */
  mailboxId: string | null;
  /**
   * Addresses this alias may send as on submission besides its own (and its +tag forms): exact addresses, or
   * `*@domain` for any address of a domain. Lowercase, ASCII domains; each domain belongs to the alias's account.
   */
  canSendAs: string[];
  /** Short lowercase tags for grouping and filtering lists (ListQuery.label); at most ALIAS_LABEL_LIMITS.count. */
  labels: string[];
  /** The RCPT TO answer while isEnabled is false (docs/api.md): 250 accept and discard, 421 defer, 550 refuse. */
  errorCodeIfDisabled: DisabledAnswer;
  /** External forward recipients get mail only after confirming a verification email (alias-verification.ts). */
  hasRecipientVerification: boolean;
  /** 'wildcard' and 'regex' names are patterns (alias-patterns.ts), tried after exact names, before '*'. */
  patternKind: PatternKind;
  createdAt: Date;
  updatedAt: Date;
}

/** 'exact' (including the catch-all '*'), or a pattern: alias-patterns.ts. */
export type PatternKind = 'exact' | 'wildcard' | 'regex';

/** What RCPT TO answers for a disabled alias: 250 (accepted, discarded), 421 (deferred, sent as 450 4.2.1), 550. */
export type DisabledAnswer = 250 | 421 | 550;

export interface NewAlias {
  /** An exact name, '*', a wildcard (`sales*`) or a regular expression (`/^support-\d+$/`): alias-patterns.ts. */
  name: string;
  recipients?: string[];
  hasImap?: boolean;
  isEnabled?: boolean;
  description?: string;
  /** See Alias.canSendAs; default none. */
  canSendAs?: string[];
  /** See Alias.labels; default none. */
  labels?: string[];
  /** Default 250. */
  errorCodeIfDisabled?: DisabledAnswer;
  /** Default false. */
  hasRecipientVerification?: boolean;
}

/** A forward recipient of an alias with recipient verification, and whether it confirmed. */
export interface RecipientVerification {
  recipient: string;
  sentAt: Date;
  verifiedAt: Date | null;
}

/** What a verification link stands for: the recipient, the alias (its name and domain, ASCII) and its state. */
export interface RecipientVerificationLink {
  aliasId: string;
  aliasName: string;
  domainName: string;
  recipient: string;
  verifiedAt: Date | null;
}

/** A verification email to send: the token is shown once, only its SHA-256 is stored. */
export interface IssuedRecipientVerification {
  aliasId: string;
  recipient: string;
  token: string;
}

/** What asking a recipient again gives: a new token to send, or why not. */
export type ReissuedVerification =
  | { outcome: 'issued'; issued: IssuedRecipientVerification }
  | { outcome: 'too-soon'; retryAfterMs: number }
  | { outcome: 'verified' }
  | { outcome: 'unknown' };

export type AliasPatch = Partial<Omit<NewAlias, 'name'>> & { name?: string };

export interface ResolvedRecipient {
  domain: Domain;
  alias: Alias;
  /** With recipient verification on: the external forward recipients that have not confirmed (not forwarded to). */
  awaitingVerification?: string[];
}

/** A stored Sieve script of an alias (RFC 5228); it compiled when it was stored. */
export interface SieveScript {
  id: string;
  aliasId: string;
  /** RFC 5804 §1.6 name, unique per alias, case-sensitive. */
  name: string;
  content: string;
  /** At most one script per alias is active: the one delivery runs (RFC 5804 §1.3). */
  isActive: boolean;
  /** Bytes of content in UTF-8. */
  size: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSieveScript {
  name: string;
  content: string;
  /** Activate it in the same write (and deactivate the alias's other script). */
  isActive?: boolean;
}

/** isActive false deactivates the script (the alias then has none active); true activates it. */
export type SieveScriptPatch = Partial<NewSieveScript>;

export type RecipientStatus = 'pending' | 'deferred' | 'delivered' | 'failed';

export interface QueueRecipient {
  address: string;
  status: RecipientStatus;
  lastError: string | null;
}

/** 'cancelled': its sender withdrew it before delivery (DELETE /v1/emails/:id); it is never tried again. */
export type QueueState = 'queued' | 'delivered' | 'failed' | 'cancelled';

/** RFC 3461 NOTIFY values of one recipient. */
export type DsnNotify = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

/**
 * The DSN parameters a message arrived with (RFC 3461 §4-5), kept for its bounces and relayed to the next hop.
 * ENVID and ORCPT are stored decoded from xtext.
 */
export interface QueueDsn {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  /** Per recipient address (as in `recipients`). */
  recipients?: Record<string, { notify?: DsnNotify[]; orcpt?: string }>;
}

export interface QueueItemSummary {
  id: string;
  envelopeFrom: string;
  recipients: QueueRecipient[];
  /** Absent when the message came without DSN parameters. */
  dsn?: QueueDsn;
  state: QueueState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}

export interface QueueItem extends QueueItemSummary {
  body: Buffer;
}

export interface NewQueueItem {
  envelopeFrom: string;
  recipients: string[];
  body: Buffer;
  nextAttemptAt?: Date;
  dsn?: QueueDsn;
}

export interface AttemptResult {
  /** Outcome per recipient tried in this attempt; recipients not listed keep their status. */
  recipients: Array<{ address: string; status: RecipientStatus; error?: string }>;
  /** When the remaining pending/deferred recipients are due again. */
  nextAttemptAt: Date;
  error?: string;
}

export interface DeliveryLogEntry {
  queueId: string;
  recipient: string;
  status: RecipientStatus;
  message: string | null;
  at: Date;
}

/** A message sent through the REST API (POST /v1/emails): no content, only where it went. */
export interface SentEmail {
  id: string;
  accountId: string;
  /** The sending alias when it was sent with mailbox credentials; null with an account token. */
  aliasId: string | null;
  /** The From address (lowercase local part, ASCII domain): the envelope sender too. */
  sender: string;
  /** The sender's domain (ASCII). */
  domain: string;
  /** The Message-ID header field of the message, without angle brackets. */
  messageId: string;
  subject: string;
  size: number;
  /** Hosted recipients it was delivered to before the reply. */
  localRecipients: string[];
  /** The outbound queue item of its remote recipients; null when every recipient was local. */
  queueId: string | null;
  createdAt: Date;
}

export type NewSentEmail = Omit<SentEmail, 'id' | 'createdAt'> & { createdAt?: Date };

/** What a sending limit counts: the messages of one sender address, or of one domain. */

/** Outcome of cancelling a queued message: 'busy' while a worker is delivering it, 'final' once it is done. */
export type CancelOutcome = 'cancelled' | 'busy' | 'final' | 'unknown';

/** A webhook POST waiting in, or done with, the webhook queue. */
export interface WebhookSummary {
  id: string;
  domainId: string;
  url: string;
  /** 'failed': given up (too old, or refused for good, e.g. a private address). */
  state: 'queued' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  /** The last failure: an HTTP status, a network error or a refusal. */
  lastError: string | null;
  createdAt: Date;
}

export interface WebhookItem extends WebhookSummary {
  /** The JSON to POST. */
  body: Buffer;
}

/** A domain's event webhook: `url` gets a signed POST for each mail log event of the domain it names. */
export interface EventWebhook {
  id: string;
  domainId: string;
  url: string;
  events: Array<MailEvent['event']>;
  createdAt: Date;
}

export interface NewEventWebhook {
  url: string;
  events: Array<MailEvent['event']>;
}

export interface NewWebhook {
  domainId: string;
  url: string;
  body: Buffer;
}

export interface WebhookAttempt {
  /** 'retry' keeps it queued until nextAttemptAt. */
  outcome: 'delivered' | 'retry' | 'failed';
  nextAttemptAt?: Date;
  error?: string;
}

/**
 * One line of a domain's mail log. Inbound: 'delivered' (into the mailbox, forwarded or to a webhook),
 * 'rejected' (refused with a 5xx, the answer in `response`), 'deferred' (a 4xx for a disabled alias or forwards
 * awaiting verification) or 'discarded' (accepted for a disabled alias whose answer is 250, and not stored).
 * Outbound (mail its users sent): 'delivered',
 * 'deferred' (a temporary failure, retried) or 'bounced' (failed for good).
 */
export interface MailEvent {
  id: number;
  domainId: string;
  direction: 'inbound' | 'outbound';
  event: 'delivered' | 'rejected' | 'deferred' | 'bounced' | 'discarded';
  sender: string;
  recipient: string;
  /** The SMTP answer or error; null when there is nothing to say. */
  response: string | null;
  /** Our id of the message (queue id or the Received header's id). */
  messageId: string | null;
  at: Date;
}

/** Rows deleted by pruneDeliveryHistory, by table. */
export interface PrunedDeliveryHistory {
  queue: number;
  deliveryLog: number;
  webhooks: number;
  sentEmails: number;
}

export type NewMailEvent = Omit<MailEvent, 'id' | 'at' | 'response' | 'messageId'> & {
  response?: string | null;
  messageId?: string | null;
  at?: Date;
};

export interface MailEventQuery {
  domainIds: string[];
  since: Date;
  until: Date;
  event?: MailEvent['event'];
  page: number;
  limit: number;
}

export type SortKey = 'name' | '-name' | 'created_at' | '-created_at';

export interface ListQuery {
  /** 1-based page number. */
  page: number;
  limit: number;
  sort?: SortKey;
  /** Case-insensitive substring of the name. */
  name?: string;
  /** Aliases only: those carrying this label. */
  label?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/**
 * The control store. Every method is async so that a networked backend (MongoDB) fits behind the same interface.
 * Scoped reads take the owning account or domain id and return null for anything outside it: callers turn that
 * into 404 and never learn whether the resource exists elsewhere.
 */
/** A domain's spam filter settings (docs/spam.md); null scores follow the server defaults (config spam.*). */
export interface DomainSpamSettings {
  junkScore: number | null;
  rejectScore: number | null;
  /** Defer (451) mail from a client/sender/recipient triplet not seen before (config spam.greylistDelayMs). */
  greylisting: boolean;
  /** Senders never treated as spam by score: addresses or domains (a domain covers its subdomains). */
  allow: string[];
  /** Senders whose mail is refused. */
  block: string[];
}

/** Fields absent stay as they are; a list given replaces the whole list. */
export type SpamSettingsPatch = Partial<DomainSpamSettings>;

export interface GreylistAnswer {
  /** True when the triplet was seen before and retried after its delay. */
  pass: boolean;
  /** When a retry is (or was) first accepted. */
  retryAfter: Date;
}

export interface ControlStore {
  // accounts
  countAccounts(): Promise<number>;
  /**
   * Creates an account. Whether it is the first one (and so an administrator, and allowed under onlyIfFirst) is
   * decided in the same transaction as the insert, so concurrent sign-ups from several processes yield exactly
   * one administrator.
   */
  createAccount(input: NewAccount): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  /** Runs the password KDF whether or not the account exists, so timing does not tell which emails have one. */
  verifyAccountPassword(email: string, password: string): Promise<Account | null>;
  /** Replaces the account's login password (callers check the current one first); false for an unknown account. */
  setAccountPassword(accountId: string, password: string): Promise<boolean>;
  /** Operator lookup (CLI); APIs authenticate by token instead. */
  findAccountByEmail(email: string): Promise<Account | null>;

  // API tokens
  createToken(accountId: string, name: string): Promise<IssuedToken>;
  listTokens(accountId: string): Promise<ApiToken[]>;
  revokeToken(accountId: string, tokenId: string): Promise<boolean>;
  /** Account and token for a presented secret; null when unknown or revoked. Updates lastUsedAt. */
  authenticateToken(secret: string): Promise<{ account: Account; token: ApiToken } | null>;

  // dashboard sessions, shared by every web process (a restart or another instance keeps people logged in)
  createSession(accountId: string, maxAgeMs: number): Promise<IssuedSession>;
  /** The live session for a cookie secret; null when unknown, ended or expired. */
  getSession(secret: string): Promise<WebSession | null>;
  /** Records activity and replaces the session's note; false when the session is gone or expired. */
  touchSession(secret: string, note: string | null): Promise<boolean>;
  deleteSession(secret: string): Promise<void>;
  /** Ends every session of the account except the one with `keepSecret` (after a password change). */
  deleteSessionsForAccount(accountId: string, keepSecret?: string): Promise<number>;
  /** Deletes sessions expired at `now` (default: the current time); returns how many. */
  expireSessions(now?: Date): Promise<number>;

  // domains
  /**
   * Adds a domain. ValidationError for an invalid name or a public suffix (`com`, `co.uk`); ConflictError when
   * the name, a parent of it or a subdomain of it is held by another account (decided atomically with the insert).
   */
  createDomain(input: NewDomain): Promise<Domain>;
  findDomain(accountId: string, idOrName: string): Promise<Domain | null>;
  listDomains(accountId: string, query: ListQuery): Promise<Page<Domain>>;
  updateDomain(accountId: string, domainId: string, patch: DomainPatch): Promise<Domain | null>;
  /** Deletes the domain and its aliases; returns the mailbox ids that belonged to them (for the mail store). */
  deleteDomain(accountId: string, domainId: string): Promise<{ mailboxIds: string[] } | null>;
  recordDnsCheck(domainId: string, result: DnsCheckResult): Promise<void>;
  /** Marks the domain verified by `by`, or not verified (null); null when the domain does not exist. */
  setDomainVerification(domainId: string, by: DomainVerifier | null): Promise<Domain | null>;
  /** True only for a verified domain: the routing question ("do we deliver for this name here?"). */
  isHostedDomain(name: string): Promise<boolean>;
  /** Unscoped lookup by ASCII or Unicode name, for the SMTP engine and operator tools; never expose it to users. */
  findDomainByName(name: string): Promise<Domain | null>;
  /** Every hosted domain of every account, by name: for operator tools and jobs (DNS re-checks); never expose it. */
  listAllDomains(): Promise<Domain[]>;
  getDkimKey(domainName: string): Promise<{ selector: string; privateKeyPem: string } | null>;

  // domain members and invites (findDomain and listDomains above answer for members of any role)
  /** The account's role in the domain; null when it is not a member. */
  domainRole(domainId: string, accountId: string): Promise<DomainRole | null>;
  /** Oldest member first. */
  listDomainMembers(domainId: string): Promise<DomainMember[]>;
  /** The member by account id or email; null when not a member. */
  findDomainMember(domainId: string, idOrEmail: string): Promise<DomainMember | null>;
  /** Changes a member's role; ConflictError when that would leave no admin or demote the owner. */
  setDomainMemberRole(domainId: string, idOrEmail: string, role: DomainRole): Promise<DomainMember | null>;
  /** Removes a member; false when not one; ConflictError for the owner or the last admin. */
  removeDomainMember(domainId: string, idOrEmail: string): Promise<boolean>;
  /** Invites an email address (replacing its pending invite); ConflictError when it is a member already. */
  createDomainInvite(input: NewDomainInvite): Promise<IssuedDomainInvite>;
  /** Pending invites, oldest first. */
  listDomainInvites(domainId: string): Promise<DomainInvite[]>;
  revokeDomainInvite(domainId: string, idOrEmail: string): Promise<boolean>;
  /**
   * Accepts a pending invite for the account's email, named by its secret or by its domain: NotFoundError when
   * there is none, PermissionError when the secret's invite is for another email address.
   */
  acceptDomainInvite(account: Account, by: { secret: string } | { domainId: string }): Promise<DomainMember>;

  // aliases
  createAlias(domainId: string, input: NewAlias): Promise<Alias>;
  findAlias(domainId: string, idOrName: string): Promise<Alias | null>;
  listAliases(domainId: string, query: ListQuery): Promise<Page<Alias>>;
  updateAlias(domainId: string, aliasId: string, patch: AliasPatch): Promise<Alias | null>;
  deleteAlias(domainId: string, aliasId: string): Promise<{ mailboxId: string | null } | null>;
  /** Records the mailbox id on the alias and stores a hash of its password for SMTP AUTH. */
  setMailboxCredential(aliasId: string, mailboxId: string, password: string): Promise<void>;
  /**
   * SMTP AUTH / login check against the stored hash, without opening the mailbox. Runs the same KDF work for an
   * unknown address, a disabled alias or one without a password, so timing does not tell which addresses exist.
   * Works for unverified domains too (a login reaches only the account's own mailbox).
   */
  verifyMailboxPassword(address: string, password: string): Promise<ResolvedRecipient | null>;
  /**
   * RCPT TO lookup in verified domains only: exact alias, then the +tag subaddress stripped (RFC 5233), then the
   * catch-all.
   */
  resolveRecipient(address: string): Promise<ResolvedRecipient | null>;
  /**
   * The alias RCPT TO reaches, in the order of resolveRecipient with pattern aliases (alias-patterns.ts) between
   * the +tag name and the catch-all, disabled or not: the MX answers a disabled one by its errorCodeIfDisabled.
   */
  routeRecipient(address: string): Promise<ResolvedRecipient | null>;
  /**
   * Recipient verification of an alias's forwards: rows for the external recipients not yet known (their tokens,
   * to send) and rows of recipients no longer listed removed. Returns what to send; empty when verification is off.
   */
  syncRecipientVerifications(aliasId: string): Promise<IssuedRecipientVerification[]>;
  listRecipientVerifications(aliasId: string): Promise<RecipientVerification[]>;
  /**
   * A new verification token for a recipient of the alias still awaiting confirmation (the previous link stops
   * working), at most one per `minIntervalMs` per recipient (counted from the last email, in control.db, so
   * every process sees it).
   */
  reissueRecipientVerification(
    aliasId: string,
    recipient: string,
    minIntervalMs: number,
  ): Promise<ReissuedVerification>;
  /**
   * Which recipient and alias a verification token is for and whether it confirmed, without confirming (what the
   * link's page shows before its button is pressed); null for an unknown or withdrawn token.
   */
  describeRecipientVerification(token: string): Promise<RecipientVerificationLink | null>;
  /** Marks the recipient whose token this is verified; null for an unknown token. */
  confirmRecipientVerification(token: string): Promise<{ aliasId: string; recipient: string } | null>;

  // Sieve marks: vacation's senders answered (RFC 5230 §4.2, RFC 6131) and duplicate's ids seen (RFC 7352)
  /**
   * Records `key` for `ownerId` until `expiresAt` unless a live mark of it exists; true when it recorded (the first
   * time in the period). Atomic across processes: two deliveries at once record it once.
   */
  claimSieveMark(ownerId: string, key: string, expiresAt: Date): Promise<boolean>;
  /** Which of `keys` have a live mark for `ownerId`. */
  sieveMarksSeen(ownerId: string, keys: string[]): Promise<Set<string>>;
  /** Deletes marks expired at `now` (default: the current time); returns how many. */
  expireSieveMarks(now?: Date): Promise<number>;

  // Sieve scripts per alias (the caller checks the alias is in its scope). Every write checks the script first:
  // ValidationError for a bad name (RFC 5804 §1.6), QuotaExceededError (code QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS)
  // over SIEVE_STORAGE_LIMITS, SieveSyntaxError (line, column) for a script that does not compile, ConflictError
  // for a name already taken.
  /** The alias's scripts by name. */
  listSieveScripts(aliasId: string): Promise<SieveScript[]>;
  /** By id or exact name; null when the alias has none such. */
  getSieveScript(aliasId: string, idOrName: string): Promise<SieveScript | null>;
  /**
   * The script delivery runs for the alias, or null. Made for the MX: kept in memory per alias and re-read only
   * after a commit to control.db, so while nothing changed it costs one PRAGMA read and returns the same frozen
   * object (callers may key a compiled form on it).
   */
  getActiveSieveScript(aliasId: string): Promise<SieveScript | null>;
  /** A new script (ConflictError when the name is taken), active at once when input.isActive. */
  createSieveScript(aliasId: string, input: NewSieveScript): Promise<SieveScript>;
  /** ManageSieve PUTSCRIPT (RFC 5804 §2.6): replaces the content of the script named `name`, or creates it. */
  putSieveScript(aliasId: string, name: string, content: string): Promise<SieveScript>;
  updateSieveScript(aliasId: string, idOrName: string, patch: SieveScriptPatch): Promise<SieveScript | null>;
  /** RFC 5804 §2.11.1: null when `from` does not exist, ConflictError when `to` does. */
  renameSieveScript(aliasId: string, from: string, to: string): Promise<SieveScript | null>;
  /**
   * False when there is no such script. The active script is refused (ConflictError, code ACTIVE, as RFC 5804
   * §2.10 asks) unless opts.allowActive (the REST API deletes it and the alias is left without one).
   */
  deleteSieveScript(aliasId: string, idOrName: string, opts?: { allowActive?: boolean }): Promise<boolean>;
  /** Activates the script and deactivates the others in one write; null deactivates all. False when not found. */
  setActiveSieveScript(aliasId: string, idOrName: string | null): Promise<boolean>;

  // quotas (quotas.ts decides the limits; the caller checks the alias or domain is in its scope)
  /** The alias's quota settings, its last known usage and its domain's; null for an unknown alias. */
  aliasQuota(aliasId: string): Promise<MailboxQuotaRecord | null>;
  /** aliasQuota of many aliases (a listing's page) in one call, by alias id; unknown ids are left out. */
  aliasQuotas(aliasIds: readonly string[]): Promise<Map<string, MailboxQuotaRecord>>;
  /** The same for the alias holding a mailbox (IMAP, the MX, the mail store's limits); null when none does. */
  mailboxQuota(mailboxId: string): Promise<MailboxQuotaRecord | null>;
  /** Sets the alias's own limits (null inherits); false for an unknown alias. */
  setAliasQuota(aliasId: string, patch: AliasQuotaPatch): Promise<boolean>;
  /** The domain's limits and its mailboxes' summed usage; null for an unknown domain. */
  domainQuota(domainId: string): Promise<DomainQuota | null>;
  setDomainQuota(domainId: string, patch: DomainQuotaPatch): Promise<boolean>;
  /** What a session holding the mailbox unlocked measured after a change (bytes and messages stored). */
  recordMailboxUsage(mailboxId: string, usage: MailboxUsage): Promise<void>;

  // spam filter settings per domain (the caller checks the domain is in its scope) and greylisting
  /** The domain's settings; defaults (null scores, no greylisting, empty lists) when never set. */
  getSpamSettings(domainId: string): Promise<DomainSpamSettings>;
  /** ValidationError for a score outside 0..1000, rejectScore not above junkScore, or a bad list entry. */
  updateSpamSettings(domainId: string, patch: SpamSettingsPatch): Promise<DomainSpamSettings>;
  /**
   * Looks a greylisting triplet up and records it, atomically across processes: the first attempt is deferred
   * until `delayMs` later; a retry after that passes and keeps the triplet for `expiryMs`.
   */
  greylist(triplet: string, delayMs: number, expiryMs: number, now?: Date): Promise<GreylistAnswer>;

  // outbound queue and delivery log
  enqueue(input: NewQueueItem): Promise<QueueItemSummary>;
  /** Leases up to `limit` due items to `workerId` for `leaseMs`; an item is leased to one worker at a time. */
  claimDue(workerId: string, now: Date, limit: number, leaseMs?: number): Promise<QueueItem[]>;
  recordAttempt(queueId: string, workerId: string, result: AttemptResult): Promise<QueueItemSummary>;
  complete(queueId: string, workerId: string, state: Exclude<QueueState, 'queued'>): Promise<void>;
  listRecent(limit: number): Promise<QueueItemSummary[]>;
  /** Messages still queued (not delivered or failed) and the bytes of their sealed bodies (the queue metrics). */
  queueStats(): Promise<{ messages: number; bytes: number }>;
  deliveryLog(queueId: string): Promise<DeliveryLogEntry[]>;
  /** One queue item without its body; null when unknown. */
  getQueueItem(queueId: string): Promise<QueueItemSummary | null>;
  /**
   * Withdraws a queued item that no worker holds: state 'cancelled', its body dropped, its undelivered recipients
   * failed. Decided in one write transaction, so a worker cannot claim it halfway.
   */
  cancelQueued(queueId: string, now?: Date): Promise<CancelOutcome>;

  // webhooks: each domain's signing secret and the durable queue of webhook POSTs
  /** The domain's webhook signing secret, made on first use; NotFoundError for an unknown domain. */
  webhookSecret(domainId: string): Promise<string>;
  /** Replaces the domain's webhook signing secret and returns the new one (shown once to its owner). */
  rotateWebhookSecret(domainId: string): Promise<string>;
  /** Durable when it resolves (the body sealed with the server key): callers may then acknowledge the message. */
  enqueueWebhook(input: NewWebhook): Promise<WebhookSummary>;
  /** Leases up to `limit` due webhooks to `workerId` for `leaseMs`, as claimDue does for the outbound queue. */
  claimDueWebhooks(workerId: string, now: Date, limit: number, leaseMs?: number): Promise<WebhookItem[]>;
  /** Records one attempt of a leased webhook; ConflictError when `workerId` does not hold it. */
  recordWebhookAttempt(id: string, workerId: string, attempt: WebhookAttempt): Promise<WebhookSummary>;
  getWebhook(id: string): Promise<WebhookSummary | null>;
  /** The domain's newest webhooks first. */
  listWebhooks(domainId: string, limit: number): Promise<WebhookSummary[]>;
  /** Event webhooks of a domain (the caller checks the domain is in its scope and the URL is allowed). */
  createEventWebhook(domainId: string, input: NewEventWebhook): Promise<EventWebhook>;
  /** Oldest first. */
  listEventWebhooks(domainId: string): Promise<EventWebhook[]>;
  deleteEventWebhook(domainId: string, id: string): Promise<boolean>;

  // each domain's mail log (GET /v1/logs): no message content, kept MAIL_EVENT_RETENTION_MS
  recordMailEvents(events: NewMailEvent[]): Promise<void>;
  /** Newest first, for the given domains (callers pass only their own). */
  listMailEvents(query: MailEventQuery): Promise<Page<MailEvent>>;
  /** Deletes events older than `before`; returns how many. */
  pruneMailEvents(before: Date): Promise<number>;
  /**
   * Deletes what was queued or sent before `before` and is over: outbound queue items in a final state with their
   * delivery log, webhooks delivered or given up on, and the records of messages sent through the API. Returns
   * how many rows of each went. Items still queued stay, whatever their age.
   */
  pruneDeliveryHistory(before: Date): Promise<PrunedDeliveryHistory>;

  // messages sent through the REST API (scoped to the account like domains)
  recordSentEmail(input: NewSentEmail): Promise<SentEmail>;
  getSentEmail(accountId: string, id: string): Promise<SentEmail | null>;
  /** Newest first; only those of one sending alias when `aliasId` is given. */
  listSentEmails(accountId: string, page: number, limit: number, aliasId?: string): Promise<Page<SentEmail>>;

  close(): Promise<void>;
}
