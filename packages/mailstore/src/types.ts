/**
 * Public types of @mailyard/mailstore. Protocol apps (IMAP, POP3, SMTP, API) code against these;
 * they never see SQLite, keys or the schema. Stable: fields are added, never renamed.
 */

import type { MinimalLogger } from '@mailyard/errors';

/** scrypt cost for password-derived wrapping keys (node:crypto scrypt). Tests lower N. */
export interface KdfOptions {
  /** CPU/memory cost, a power of two. Default 16384 (tens of ms on a 2-core box). */
  N?: number;
  r?: number;
  p?: number;
}

export interface MailstoreOptions {
  /** Root of the data dir; mailboxes/ and spool/ live below it. */
  dataDir: string;
  /** Per-mailbox quota in bytes when `quotaSource` has none for a mailbox. Default 10 GiB. */
  quotaBytes?: number;
  /**
   * Each mailbox's own limits and where its usage goes (the control store): asked when a mailbox is unlocked and
   * by refreshQuota(); told the usage after writes, so delivery can enforce the quota without unlocking it.
   */
  quotaSource?: QuotaSource;
  logger?: MinimalLogger;
  kdf?: KdfOptions;
  /** How long an unlocked mailbox handle stays open after its last session closed. Default 30 s. */
  idleCloseMs?: number;
  /** At most this many idle (session-less) handles stay open per process; the least recently used closes first. */
  maxIdleHandles?: number;
  /** Change transport; default is the file-based notifier under dataDir/notify. */
  notifier?: ChangeNotifier;
  /** Poll interval of the file notifier's fallback (ms). Default 250. */
  notifyPollMs?: number;
  /** Called each time a mailbox database is opened (a miss of the open-handle cache): the mailboxOpens metric. */
  onDatabaseOpen?: () => void;
  /** Days Trash and Junk keep mail before it is expunged when the mailbox is next unlocked (0 keeps it forever; default 30). */
  retentionDays?: number;
  /** The mailbox's own spam classifier (bayes.ts); each field has a default. */
  spamLearning?: SpamLearningOptions;
}

export interface SpamLearningOptions {
  /** Train on COPY/MOVE into and out of Junk, and file likely spam into Junk when the spool drains. Default true. */
  enabled?: boolean;
  /** Spam probability (0 to 1) at or above which a drained message goes to Junk. Default 0.9. */
  threshold?: number;
  /** Messages trained as spam, and as ham, before the drain files anything. Default 10. */
  minTrained?: number;
}

export interface CreateMailboxOptions {
  /** Also wrap the data key with a random recovery key, returned once. */
  recoveryKey?: boolean;
}

export interface CreateMailboxResult {
  /** X25519 public key, base64 (raw 32 bytes). */
  publicKey: string;
  /** Shown once; resets the password with resetPassword(). */
  recoveryKey?: string;
}

export interface DeliverMeta {
  internalDate?: Date;
  /**
   * Target folder path; INBOX when absent, or when the folder does not exist at drain time and createFolder is not
   * set (RFC 5490 §3.2 leaves the fallback to the implementation; Sieve fileinto without :create, a Junk folder the
   * user deleted). Decided where the plaintext was (SMTP time: Sieve, spam), carried sealed in the spool entry.
   */
  folder?: string;
  /** Create `folder` (and missing parents) at drain time when it does not exist (Sieve fileinto :create). */
  createFolder?: boolean;
  /** System flags and keywords to set on the stored message (Sieve imap4flags, \Seen on a Sent copy). */
  flags?: string[];
}

/** A message delivered from a stream (Mailstore.deliverStream): its exact size and a way to read it once. */
export interface DeliverSource {
  size: number;
  open(): AsyncIterable<Buffer>;
}

/**
 * One vocabulary for what changed, in the store's words (not IMAP's EXISTS/EXPUNGE responses): the journal of a
 * folder (Change, persisted in each mailbox database) records added, flags and expunged; change events
 * (ChangeEvent, between sessions and processes) use the same words, plus folder (created, renamed, deleted) and
 * spool (a delivery waits to be drained).
 */
export type JournalKind = 'added' | 'flags' | 'expunged';
export type ChangeKind = JournalKind | 'folder' | 'spool';

export interface ChangeEvent {
  mailboxId: string;
  folder: string;
  kind: ChangeKind;
  uid?: number;
  modseq?: number;
}

/** Cross-process change transport. The default writes to files under dataDir; Redis can implement the same. */
export interface ChangeNotifier {
  subscribe(mailboxId: string, cb: (event: ChangeEvent) => void): () => void;
  publish(event: ChangeEvent): void;
  close?(): Promise<void> | void;
}

/** RFC 6154 special-use attribute, e.g. '\\Sent'. */
export type SpecialUse = '\\Drafts' | '\\Sent' | '\\Archive' | '\\Junk' | '\\Trash' | '\\All' | '\\Flagged';

export interface Folder {
  path: string;
  specialUse: string | null;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  subscribed: boolean;
  /** RFC 8474 MAILBOXID: stable for the folder's life, kept across RENAME. */
  objectId: string;
}

export interface CreateFolderOptions {
  specialUse?: string | null;
  subscribed?: boolean;
}

export interface FolderStatus {
  messages: number;
  unseen: number;
  recent: number;
  uidNext: number;
  uidValidity: number;
  highestModseq: number;
  /** Sum of RFC822.SIZE of the folder's messages (RFC 8438 STATUS SIZE). */
  size: number;
  /** Messages with the \\Deleted flag (RFC 9051 §6.3.11 STATUS DELETED). */
  deleted: number;
  /** RFC 8474 §4.3 STATUS MAILBOXID: the folder's objectId. */
  mailboxId: string;
}

export interface AppendOptions {
  flags?: string[];
  internalDate?: Date;
}

export interface AppendResult {
  uid: number;
  uidValidity: number;
  modseq: number;
}

/** One row of a folder listing; ascending uid order is sequence-number order. */
export interface MessageSummary {
  uid: number;
  modseq: number;
  /** System flags (\\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft) and keywords together. */
  flags: string[];
  size: number;
  internalDate: Date;
}

/** What SELECT needs of a folder's listing, without walking it (ListingCache keeps it per listing version). */
export interface ListingFacts {
  /** UIDs in ascending order (= sequence order). Shared: copy before changing. */
  readonly uids: readonly number[];
  /** Keywords (non-system flags) set on some message, in order of first appearance. */
  readonly keywords: readonly string[];
  /** Sequence number of the first message without \\Seen; 0 when every message has it. */
  readonly firstUnseen: number;
}

/** MIME tree with byte offsets into the raw message, as produced by @mailyard/mail's indexMessage. */
export interface StoredMimePart {
  path: string;
  headerStart: number;
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  contentType: string;
  children: StoredMimePart[];
  message?: StoredMimePart;
}

export interface StoredMessage extends MessageSummary {
  threadId: string;
  /** RFC 8474 EMAILID and THREADID as FETCH reports them. */
  emailId: string;
  threadObjectId: string;
  /** RFC 8514 save date: when this entry was stored in its folder (APPEND, delivery, COPY, MOVE). */
  savedDate: Date;
  envelope: unknown;
  bodystructure: unknown;
  body: unknown;
  mime: StoredMimePart;
  headers: Array<{ key: string; value: string }>;
}

/** RFC 3501 §6.4.6 / RFC 7162 §3.1.3 STORE operation. */
export interface StoreOperation {
  mode: 'set' | 'add' | 'remove';
  flags: string[];
  /** CONDSTORE UNCHANGEDSINCE: messages whose modseq is greater fail and are left unchanged. */
  unchangedSince?: number;
}

export interface StoreResult {
  updated: Array<{ uid: number; flags: string[]; modseq: number }>;
  /** UIDs that failed the UNCHANGEDSINCE test (RFC 7162 §3.1.3 MODIFIED response code). */
  failed: number[];
}

/** RFC 4315 COPYUID / RFC 6851 MOVE result. */
export interface CopyResult {
  uidValidity: number;
  sourceUids: number[];
  destUids: number[];
}

export interface Change {
  modseq: number;
  uid: number;
  kind: JournalKind;
}

export interface QuotaInfo {
  usedBytes: number;
  limitBytes: number;
  /** Messages stored (every folder). */
  usedMessages: number;
  /** Message-count limit; null when none is set. */
  limitMessages: number | null;
}

/** The limits of one mailbox: bytes stored, and the message count when it is limited. */
export interface QuotaLimit {
  bytes: number;
  messages: number | null;
}

/** What a mailbox holds, as told to QuotaSource.report. */
export interface MailboxUsageReport {
  bytes: number;
  messages: number;
}

export interface QuotaSource {
  /** The mailbox's limits now; null: the store's default (quotaBytes, no message limit). */
  limits(mailboxId: string): Promise<QuotaLimit | null>;
  /** Called after writes changed the usage (coalesced); a failure is logged and retried with the next change. */
  report(mailboxId: string, usage: MailboxUsageReport): Promise<void>;
}

/** What the mailbox database holds: distinct message contents and de-duplicated attachment blobs. */
export interface StorageStats {
  contents: number;
  attachments: number;
  attachmentBytes: number;
}

export interface PartialRange {
  start: number;
  length?: number;
}

/** A bound of a UID range; '*' is the highest UID in the folder. */
export type UidBound = number | '*';
/** UIDs: single values and inclusive ranges (either order). Message numbers are the protocol's to resolve. */
export type UidSet = Array<UidBound | { from: UidBound; to: UidBound }>;

/** Flag keys of RFC 3501 §6.4.4 that take no argument. */
export type SearchFlagKey =
  | 'answered'
  | 'deleted'
  | 'draft'
  | 'flagged'
  | 'seen'
  | 'recent'
  | 'new'
  | 'old'
  | 'unanswered'
  | 'undeleted'
  | 'undraft'
  | 'unflagged'
  | 'unseen';

/** String-matching keys: case-insensitive substring (RFC 3501 §6.4.4). TEXT/BODY use FTS5 then verify. */
export type SearchTextKey = 'bcc' | 'cc' | 'from' | 'to' | 'subject' | 'body' | 'text';

/** Date keys: calendar day of the UTC date given, time ignored. before/on/since on INTERNALDATE, sent* on Date:. */
export type SearchDateKey = 'before' | 'on' | 'since' | 'sentbefore' | 'senton' | 'sentsince';

/**
 * What the store can select messages by, as a typed tree: the criteria of RFC 3501 §6.4.4 SEARCH that concern a
 * stored message, plus RFC 7162 §3.1.5 MODSEQ. A list of criteria (implicit AND) is { key: 'and', of: [...] }.
 * The IMAP app parses its own SEARCH program (with message-number sets, apps/imap/src/search-query.ts) and hands
 * the store this narrower query, message numbers already resolved to UIDs against its session's view.
 */
export type MessageQuery =
  | { key: 'all' }
  | { key: 'and'; of: MessageQuery[] }
  | { key: 'or'; left: MessageQuery; right: MessageQuery }
  | { key: 'not'; of: MessageQuery }
  | { key: SearchFlagKey }
  | { key: 'keyword' | 'unkeyword'; keyword: string }
  | { key: SearchTextKey; value: string }
  | { key: 'header'; field: string; value: string }
  | { key: SearchDateKey; date: Date }
  | { key: 'larger' | 'smaller'; size: number }
  | { key: 'uid'; set: UidSet }
  | { key: 'modseq'; modseq: number; entry?: { name: string; type: 'priv' | 'shared' | 'all' } }
  /** RFC 8514 §4 SAVEDBEFORE/SAVEDON/SAVEDSINCE: calendar day (UTC) of the save date. */
  | { key: SearchSavedDateKey; date: Date }
  /** RFC 5032 WITHIN: OLDER/YOUNGER than this many seconds before now, on the internal date. */
  | { key: 'older' | 'younger'; seconds: number }
  /** RFC 8474 §5 SEARCH EMAILID/THREADID: exact object id as FETCH reports it. */
  | { key: 'emailid' | 'threadid'; id: string };

export type SearchSavedDateKey = 'savedbefore' | 'savedon' | 'savedsince';

/** RFC 5256 §3 sort keys, plus RFC 5957 DISPLAYFROM/DISPLAYTO. */
export type SortKey = 'arrival' | 'cc' | 'date' | 'from' | 'size' | 'subject' | 'to' | 'displayfrom' | 'displayto';

export interface SortCriterion {
  key: SortKey;
  /** REVERSE: this key in descending order (ties still go by ascending UID). */
  reverse?: boolean;
}

/** RFC 5256 §3 THREAD algorithms. */
export type ThreadAlgorithm = 'orderedsubject' | 'references';

/** One node of a THREAD answer; uid null is a dummy parent holding sibling threads (REFERENCES only). */
export interface ThreadNode {
  uid: number | null;
  children: ThreadNode[];
}

/** One place a message is: its folder and UID there (MailboxSession.locate). */
export interface EmailLocation {
  folder: string;
  uid: number;
}

/** A listing row with the ids and envelope a message list shows (MailboxSession.summaries). */
export interface EmailSummary extends MessageSummary {
  /** RFC 8474 EMAILID and THREADID as FETCH reports them. */
  emailId: string;
  threadObjectId: string;
  /** IMAP ENVELOPE as in StoredMessage. */
  envelope: unknown;
}

/** Per-message attributes of IMAP extensions, for FETCH. */
export interface MessageAttributes {
  uid: number;
  /** RFC 8474 EMAILID and THREADID. */
  emailId: string;
  threadId: string;
  /** RFC 8514 SAVEDATE. */
  savedDate: Date;
}

/** RFC 3516 BINARY[section]: the decoded content, or the encoding that cannot be decoded (UNKNOWN-CTE). */
export type BinarySectionResult = { kind: 'data'; data: Buffer } | { kind: 'unknown-cte'; encoding: string };

export interface SearchOptions {
  /** UIDs this IMAP session sees as \\Recent (RFC 3501 §2.3.2); when absent, the stored recent marks are used. */
  recentUids?: ReadonlySet<number>;
}

/**
 * One unlocked mailbox as seen by one protocol session. Sessions of a process share one database handle
 * (ref-counted); close() releases this session's reference.
 */
export interface MailboxSession {
  readonly id: string;
  /** Ingest every sealed spool record into its folder (INBOX by default); returns how many were ingested. */
  drainSpool(): Promise<number>;

  listFolders(): Folder[];
  getFolder(path: string): Folder | null;
  createFolder(path: string, opts?: CreateFolderOptions): Folder;
  renameFolder(from: string, to: string): void;
  deleteFolder(path: string): void;
  setSubscribed(path: string, subscribed: boolean): void;
  /** Subscribed names whose folder was deleted (RFC 3501 §6.3.6: DELETE does not unsubscribe). */
  orphanSubscriptions(): string[];
  status(path: string): FolderStatus;

  append(path: string, raw: Buffer, opts?: AppendOptions): Promise<AppendResult>;
  /** In UID order. The summaries are frozen and may be shared with other sessions: copy before changing. */
  listMessages(path: string): MessageSummary[];
  /** The UIDs, keywords in use and first unseen message of the listing, kept with it (cheap when unchanged). */
  listingFacts(path: string): ListingFacts;
  getMessage(path: string, uid: number): StoredMessage | null;
  getRaw(path: string, uid: number): Buffer | null;
  getSection(path: string, uid: number, section: string, partial?: PartialRange): Buffer | null;
  store(path: string, uids: number[], op: StoreOperation): StoreResult;
  copy(path: string, uids: number[], dest: string): CopyResult;
  move(path: string, uids: number[], dest: string): CopyResult;
  expunge(path: string, uids?: number[]): number[];
  search(path: string, query: MessageQuery, opts?: SearchOptions): number[];
  /** RFC 5256 SORT (and RFC 5957 SORT=DISPLAY): UIDs of the matching messages in sort order. */
  sort(path: string, criteria: SortCriterion[], query: MessageQuery, opts?: SearchOptions): number[];
  /** RFC 5256 THREAD over the matching messages, as trees of UIDs. */
  thread(path: string, algorithm: ThreadAlgorithm, query: MessageQuery, opts?: SearchOptions): ThreadNode[];
  /** EMAILID, THREADID and SAVEDATE of these messages (missing UIDs are left out), in UID order. */
  messageAttributes(path: string, uids: number[]): MessageAttributes[];
  /** RFC 8970 PREVIEW text of these messages, computed once per message and kept. */
  previews(path: string, uids: number[]): Map<number, string>;
  /** RFC 3516 BINARY[section]<partial>; null when the message or section does not exist. */
  getBinarySection(path: string, uid: number, section: string, partial?: PartialRange): BinarySectionResult | null;
  /** RFC 3502 MULTIAPPEND (and CATENATE results): every message or none, in one transaction. */
  appendMany(path: string, messages: Array<{ raw: Buffer; opts?: AppendOptions }>): Promise<AppendResult[]>;
  changesSince(path: string, modseq: number): Change[];
  /** Clear and return the stored \\Recent marks of a folder (the selecting IMAP session keeps them). */
  claimRecent(path: string): number[];
  /** Usage and the limits as last read from the quota source (at unlock, or the last refreshQuota). */
  quota(): QuotaInfo;
  /** Reads the limits from the quota source again (after an administrator changed them), then answers quota(). */
  refreshQuota(): Promise<QuotaInfo>;
  storageStats(): StorageStats;
  /** Every folder and UID holding the message with this RFC 8474 EMAILID, in folder order ([] when none). */
  locate(emailId: string): EmailLocation[];
  /** Listing rows of these UIDs (those that exist) with EMAILID, THREADID and ENVELOPE, in UID order. */
  summaries(path: string, uids: number[]): EmailSummary[];
  /** What the mailbox's spam classifier has learnt (bayes.ts). */
  spamLearning(): SpamLearningStatus;
  /** Forgets everything the spam classifier has learnt: no trained message, no token (bayes.ts). */
  forgetSpamLearning(): SpamLearningStatus;
  /**
   * A consistent copy of the mailbox database, still encrypted with its data key, and of its key file (the data key
   * wrapped by the password and the recovery key): only they open the copy. Works while other sessions write.
   */
  encryptedCopy(databasePath: string, keyFilePath: string): Promise<void>;
  close(): void;
}

export interface SpamLearningStatus {
  /** Messages trained as spam (moved or copied into Junk) and as ham (moved or copied out of it). */
  trainedSpam: number;
  trainedHam: number;
  /** Distinct token ids kept. */
  tokens: number;
  /** The token table is cut back to this many rows once it grows past it (bayes.ts MAX_TOKEN_ROWS). */
  maxTokens: number;
  /** Messages of each class to train before the drain acts (mailbox.spamLearningMinTrained). */
  minTrained: number;
  /** Spam probability (0 to 1) from which the drain files a message into Junk (mailbox.spamLearningThreshold). */
  threshold: number;
  /** Whether learning is switched on for the server (mailbox.spamLearning). */
  enabled: boolean;
  /** Whether the spool drain files likely spam into Junk now (learning on, enough of each class trained). */
  active: boolean;
}
