/**
 * Public types of @mailyard/mailstore. Protocol apps (IMAP, POP3, SMTP, API) code against these;
 * they never see SQLite, keys or the schema. Stable: fields are added, never renamed.
 */

/** Minimal structured logger (pino's Logger satisfies it). */
export interface MailstoreLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

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
  /** Per-mailbox quota in bytes. Default 10 GiB. */
  quotaBytes?: number;
  logger?: MailstoreLogger;
  kdf?: KdfOptions;
  /** How long an unlocked mailbox handle stays open after its last session closed. Default 30 s. */
  idleCloseMs?: number;
  /** At most this many idle (session-less) handles stay open per process; the least recently used closes first. */
  maxIdleHandles?: number;
  /** Change transport; default is the file-based notifier under dataDir/notify. */
  notifier?: ChangeNotifier;
  /** Poll interval of the file notifier's fallback (ms). Default 250. */
  notifyPollMs?: number;
  /** Days Trash and Junk keep mail before it is expunged when the mailbox is next unlocked (0 keeps it forever; default 30). */
  retentionDays?: number;
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
  /** Target folder path; INBOX when absent or when the folder no longer exists at drain time. */
  folder?: string;
  flags?: string[];
}

export type ChangeKind = 'exists' | 'expunge' | 'flags' | 'folder' | 'spool';

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
  /** Sum of RFC822.SIZE of the folder's messages. */
  size: number;
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
  kind: 'added' | 'flags' | 'expunged';
}

export interface QuotaInfo {
  usedBytes: number;
  limitBytes: number;
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

/** A bound of an RFC 3501 sequence set; '*' is the largest number in use. */
export type SetBound = number | '*';
/** RFC 3501 §9 sequence-set: single numbers and inclusive ranges (either order). */
export type SequenceSet = Array<SetBound | { from: SetBound; to: SetBound }>;

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
 * RFC 3501 §6.4.4 SEARCH as a typed tree, plus RFC 7162 §3.1.5 MODSEQ.
 * A list of keys (implicit AND) is { key: 'and', of: [...] }.
 */
export type SearchQuery =
  | { key: 'all' }
  | { key: 'and'; of: SearchQuery[] }
  | { key: 'or'; left: SearchQuery; right: SearchQuery }
  | { key: 'not'; of: SearchQuery }
  | { key: SearchFlagKey }
  | { key: 'keyword' | 'unkeyword'; keyword: string }
  | { key: SearchTextKey; value: string }
  | { key: 'header'; field: string; value: string }
  | { key: SearchDateKey; date: Date }
  | { key: 'larger' | 'smaller'; size: number }
  | { key: 'uid'; set: SequenceSet }
  /** Message sequence numbers, resolved against the folder's ascending uid list. */
  | { key: 'seq'; set: SequenceSet }
  | { key: 'modseq'; modseq: number; entry?: { name: string; type: 'priv' | 'shared' | 'all' } };

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
  status(path: string): FolderStatus;

  append(path: string, raw: Buffer, opts?: AppendOptions): Promise<AppendResult>;
  /** In UID order. The summaries are frozen and may be shared with other sessions: copy before changing. */
  listMessages(path: string): MessageSummary[];
  getMessage(path: string, uid: number): StoredMessage | null;
  getRaw(path: string, uid: number): Buffer | null;
  getSection(path: string, uid: number, section: string, partial?: PartialRange): Buffer | null;
  store(path: string, uids: number[], op: StoreOperation): StoreResult;
  copy(path: string, uids: number[], dest: string): CopyResult;
  move(path: string, uids: number[], dest: string): CopyResult;
  expunge(path: string, uids?: number[]): number[];
  search(path: string, query: SearchQuery, opts?: SearchOptions): number[];
  changesSince(path: string, modseq: number): Change[];
  /** Clear and return the stored \\Recent marks of a folder (the selecting IMAP session keeps them). */
  claimRecent(path: string): number[];
  quota(): QuotaInfo;
  storageStats(): StorageStats;
  close(): void;
}
