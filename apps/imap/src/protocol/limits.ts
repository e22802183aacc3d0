/**
 * Every limit of the IMAP server, with the reason for its number, in one place (STYLE.md §7): ProtocolLimits, which
 * configuration and tests may set per server, and IMAP_LIMITS, the fixed ones. Configuration (imap.maxLineBytes,
 * imap.maxLiteralBytes, imap.idleTimeoutMs, limits.timeoutMs) overrides some; tests lower others through
 * ImapDeps.protocol.
 */
export interface ProtocolLimits {
  /** Longest line outside literals (imap.maxLineBytes). */
  maxLineBytes: number;
  /** Largest message literal, APPEND (imap.maxLiteralBytes, = the message size limit; RFC 7889 APPENDLIMIT). */
  maxMessageBytes: number;
  /**
   * Largest literal outside APPEND after login (imap.maxOtherLiteralBytes): 64 KiB holds any mailbox name, search string or password a
   * person types, where imap-core's 1 KiB refused long SEARCH texts.
   */
  maxOtherLiteralBytes: number;
  /** Largest literal before login: a user name or password (RFC 9051 §6.2.3) is never near 8 KiB. */
  maxPreAuthLiteralBytes: number;
  /** Lines plus non-message literals of one command: 1 MiB is a SEARCH far larger than any client sends. */
  maxCommandBytes: number;
  /** Literals in one command: MULTIAPPEND/CATENATE send a few per message; 1,000 is generous. */
  maxLiterals: number;
  /** Parenthesis nesting (and SEARCH program depth): no real command nests past 10; 64 keeps recursion cheap. */
  maxDepth: number;
  /** SEARCH keys in one program: 1,000 is far past any client; 2,000 ORs answer BAD (issue 12 item 8). */
  maxSearchKeys: number;
  /** Inactivity after login (imap.idleTimeoutMs; RFC 9051 §5.4: at least 30 minutes). */
  idleTimeoutMs: number;
  /** Inactivity before login: a client that connected and says nothing for a minute is not a mail client. */
  preAuthIdleTimeoutMs: number;
  /** One command's line and literals must arrive within this (limits.timeoutMs, the 180 s budget). */
  commandTimeoutMs: number;
  /** A literal must arrive at least this fast (bytes/s, checked over `rateWindowMs`): 1 KiB/s is a bad modem. */
  minLiteralRate: number;
  rateWindowMs: number;
  /** Connections per listener (imap.maxConnections): each costs memory and a file descriptor. */
  maxConnections: number;
  /** Unknown or malformed commands before login, then BYE: a mail client never sends more than a few. */
  maxBadCommandsBeforeLogin: number;
  /** Keywords one message may carry: real clients use a handful; each is stored and listed in FLAGS. */
  maxKeywordsPerMessage: number;
  /** Folders per mailbox: LIST replies and the folder table stay small; 10,000 is more than any person files. */
  maxFolders: number;
  /**
   * Output buffered for a client that does not read, before the command waits for it to drain: 1 MiB keeps a
   * large FETCH streaming without a wait per write, and bounds what a client that stops reading can cost.
   */
  outputHighWaterBytes: number;
  /** Bytes of inflated input taken per turn of the event loop under COMPRESS (bounds work per chunk). */
  inflateChunkBytes: number;
  /**
   * NOTIFY (RFC 5465 §5.8): folder changes waiting to be told while a command runs or the client is not reading;
   * past it the session gets NOTIFICATIONOVERFLOW and NOTIFY is off. A person's changes come a few per second.
   */
  maxPendingNotifications: number;
}

const MINUTE = 60_000;

export const DEFAULT_PROTOCOL_LIMITS: ProtocolLimits = {
  maxLineBytes: 64 * 1024,
  maxMessageBytes: 50 * 1024 * 1024,
  maxOtherLiteralBytes: 64 * 1024,
  maxPreAuthLiteralBytes: 8 * 1024,
  maxCommandBytes: 1024 * 1024,
  maxLiterals: 1000,
  maxDepth: 64,
  maxSearchKeys: 1000,
  idleTimeoutMs: 30 * MINUTE,
  preAuthIdleTimeoutMs: MINUTE,
  commandTimeoutMs: 3 * MINUTE,
  minLiteralRate: 1024,
  rateWindowMs: 30_000,
  maxConnections: 5000,
  maxBadCommandsBeforeLogin: 10,
  maxKeywordsPerMessage: 64,
  maxFolders: 10_000,
  outputHighWaterBytes: 1024 * 1024,
  inflateChunkBytes: 64 * 1024,
  maxPendingNotifications: 1000,
};

/** The IMAP server's fixed limits (not configurable), each with its reason. */
export const IMAP_LIMITS = Object.freeze({
  /**
   * How long a verified (address, password) is remembered by the login cache (login-cache.ts): clients reconnect
   * every few minutes, so 5 minutes spares most repeat logins the password KDF, while a changed password or a
   * disabled alias is still checked on every login.
   */
  loginCacheTtlMs: 5 * MINUTE,
  /** Logins the cache holds at most, the oldest dropped first: 10,000 entries of about 100 bytes is 1 MB. */
  loginCacheEntries: 10_000,
  /** close(): connections still open after their BYE are destroyed after 1 s (a client that does not read). */
  closeGraceMs: 1000,
  /**
   * FETCH replies are written in batches of about 256 KiB: one write per batch instead of one per message, small
   * enough that output stays well under outputHighWaterBytes.
   */
  fetchBatchBytes: 256 * 1024,
  /** Longest string sent quoted; longer ones go as literals, so reply lines stay short for clients. */
  maxQuotedBytes: 1024,
  /**
   * RFC 5267 search contexts one selected folder keeps up to date: each re-runs its search (and sort) on every
   * change of the folder, so the number is bounded; past it the command still answers, with
   * `* NO [NOUPDATE "tag"]` (§4.2). Dovecot keeps ten as well.
   */
  maxUpdateContexts: 10,
});
