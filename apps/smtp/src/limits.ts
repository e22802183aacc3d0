/**
 * The numbers of the SMTP processes, each with its reason. Settings that operators tune live in the config
 * schema (smtp.*, limits.*); these are protocol constants and defaults the schema does not carry.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SMTP_LIMITS = Object.freeze({
  /**
   * More Received headers than this means the message is looping between servers (RFC 5321 §6.3 asks for loop
   * detection by counting Received headers; Postfix and Exim both stop at 25 here as well).
   */
  maxReceivedHeaders: 25,
  /**
   * Sieve redirects one message may go through (its X-Sieve-Redirected-From fields) before scripts stop
   * redirecting it and keep it instead (RFC 5228 §4.2 asks for loop control). A chain of a user redirecting to a
   * colleague who redirects to a shared mailbox is three; more is a loop between scripts.
   */
  maxSieveRedirectHops: 5,
  /** Characters of a Sieve reject reason sent in the 550 reply (RFC 5321 §4.5.3.1.5: a reply line is 512 octets). */
  maxRejectReplyChars: 200,
  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; SMTP extensions add parameters, so allow 4 KiB. */
  maxCommandLength: 4096,
  /** Commands a client may send before authenticating on submission (smtp-server's default is 10). */
  maxUnauthenticatedCommands: 20,
  /** Submission rate window: messages per authenticated user are counted per hour (smtp.messagesPerSenderPerHour). */
  senderWindowMs: HOUR,
  /** Daily send limit window (config smtp.dailySendLimit). */
  dailyWindowMs: DAY,
  /** SIGTERM: the whole shutdown must fit PM2's 30 s kill timeout; in-flight DATA gets most of it. */
  shutdownGraceMs: 25 * SECOND,
  /** Reverse DNS of a client is skipped: it costs a lookup per connection and feeds nothing we decide on. */
  reverseLookup: false,
  /**
   * Connections open at once on one listener (smtp-server maxClients; 421 past it). Each holds a file descriptor,
   * and one more while it spills a large message to disk; 500 stays clear of the common 1,024-descriptor limit
   * with room for the spool, SQLite and TLS, and is ten times what a busy small server sees.
   */
  maxConnectionsPerListener: 500,
  /**
   * Slowest DATA transfer kept open: fewer bytes than this per second over a whole rate window closes the session
   * (Postfix's smtpd_min_data_rate is 500 B/s). A 56 kbit/s modem still sends 7,000 B/s.
   */
  minDataBytesPerSecond: 512,
  /** The window the minimum rate is measured over: long enough for a TCP retransmission or two to pass. */
  dataRateWindowMs: 30 * SECOND,
  /**
   * Message bytes held in memory before the rest spills to an encrypted temporary file under data/tmp: small
   * mail (most of it) never touches that file, and a 50 MiB message costs about this much memory, not 50 MiB.
   */
  spillThresholdBytes: 1024 * 1024,
  /** Plaintext per sealed chunk of a spilled message (ChaCha20-Poly1305, one tag each): 16 bytes per 64 KiB. */
  spillChunkBytes: 64 * 1024,
  /**
   * Largest header block accepted (552 5.3.4 past it): it stays in memory to be checked and rewritten. Postfix
   * keeps 100 KiB of headers (header_size_limit); real mail with 50 Received and ARC sets stays under 64 KiB.
   */
  maxHeaderBytes: 256 * 1024,
  /**
   * Unknown recipients (550 5.1.1) in one session before each further one is answered only after
   * unknownRecipientDelayMs, and the count at which the session is closed with 421 (Postfix's
   * smtpd_soft_error_limit and smtpd_hard_error_limit are 10 and 20 errors of any kind).
   */
  unknownRecipientsBeforeDelay: 3,
  unknownRecipientsPerSession: 10,
  /** Pause before each 550 5.1.1 past unknownRecipientsBeforeDelay (Postfix's smtpd_error_sleep_time is 1 s). */
  unknownRecipientDelayMs: SECOND,
  /**
   * Unknown recipients per client IP per hour. Past it every RCPT TO from that IP gets 450 4.7.1 until the hour
   * is over, whether the address exists or not, so the answer no longer tells which addresses exist; a real
   * server just retries later. Generous for mailing-list senders with stale addresses, tight for a prober.
   */
  unknownRecipientsPerIpPerHour: 50,
  /** Window of the per-IP unknown-recipient count. */
  unknownRecipientWindowMs: HOUR,
  /**
   * Messages (MAIL FROM commands) per client IP per hour on the MX; past it MAIL FROM gets 451 4.7.0 and a real
   * server retries later (RFC 5321 §4.5.4.1). Counted by the connecting IP, never by the claimed sender: MAIL FROM
   * is unauthenticated on the MX, so a count keyed by it would let anyone throttle a real correspondent's mail by
   * forging their address. 500 an hour is far above what one sending host delivers to a small server, yet it
   * bounds how fast one host can fill mailboxes.
   */
  mxMessagesPerIpPerHour: 500,
  /** Window of the per-IP MX message count. */
  mxMessageWindowMs: HOUR,
});

type Widened<T> = { readonly [K in keyof T]: T[K] extends number ? number : T[K] extends boolean ? boolean : T[K] };

/** The SMTP limits one server runs with: SMTP_LIMITS and two deadlines from config, with overrides for tests. */
export type SmtpLimits = Widened<typeof SMTP_LIMITS> & {
  /**
   * Longest time one command line may take from its first byte to its line end. A command fits in one packet,
   * so this only cuts clients that drip bytes to hold a connection: the idle timeout (config smtp.socketTimeoutMs)
   * never fires while a byte arrives now and then. Default: config limits.timeoutMs (180 s, RFC 5321 §4.5.3.2).
   */
  readonly commandTimeoutMs: number;
  /** Longest time one DATA transfer may take from the 354 reply to the final dot. Default: config limits.timeoutMs. */
  readonly dataTimeoutMs: number;
};

/** The limits of a server: SMTP_LIMITS, the deadlines from config limits.timeoutMs, then `overrides`. */
export function smtpLimits(timeoutMs: number, overrides: Partial<SmtpLimits> = {}): SmtpLimits {
  return { ...SMTP_LIMITS, commandTimeoutMs: timeoutMs, dataTimeoutMs: timeoutMs, ...overrides };
}

export const OUTBOUND_LIMITS = {
  /**
   * Growing back-off between attempts (retries last config smtp.outboundMaxAgeMs, 5 days, as RFC 5321 §4.5.4.1
   * asks for at least 4-5 days): quick retries for greylisting (most greylists pass after 1-5 minutes),
   * then hourly, capped at 4 hours so a recovered remote gets its mail the same day (RFC 5321 §4.5.4.1 asks
   * for at least 30 minutes between retries to one destination once the first retries failed).
   */
  backoffMs: [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR] as readonly number[],
  /** A lease longer than the per-attempt timeout (limits.timeoutMs, 180 s) so no other worker steals live work. */
  leaseMarginMs: MINUTE,
  /** How often an idle worker looks for due messages. */
  pollIntervalMs: 5 * SECOND,
  /** When the byte budget is full, the message goes back to the queue for this long without being tried. */
  budgetRetryMs: 30 * SECOND,
  /** RFC 5321 §4.5.3.2: initial 220 greeting within 5 minutes; we give remote servers 60 s to connect and greet. */
  connectTimeoutMs: MINUTE,
  /**
   * Sessions open at once to one remote address: Postfix's default_destination_concurrency_limit is 20; half of
   * that stays well under the per-IP connection limits large receivers apply.
   */
  connectionsPerHost: 10,
  /** An idle session to a remote host is closed after this (Postfix caches idle sessions for 2 s too). */
  connectionIdleMs: 2 * SECOND,
  /** Messages per session before it is closed and a new one opened (nodemailer's pool uses 100 as well). */
  messagesPerConnection: 100,
  /** How long one cached MTA-STS policy is trusted when the policy itself gives no max_age (RFC 8461 §3.2). */
  mtaStsCacheMs: DAY,
} as const;

/** Webhook delivery (webhooks/): the same back-off and maximum age as outbound mail (smtp.outboundMaxAgeMs). */
export const WEBHOOK_LIMITS = {
  /** One POST, connect to last byte of the answer: receivers should answer at once and work later. */
  requestTimeoutMs: 30 * SECOND,
  /** Bytes of a receiver's answer we read (only to log its start); the rest is dropped with the connection. */
  maxResponseBytes: 64 * 1024,
  /** Webhook POSTs in flight at once per worker. */
  concurrency: 10,
  /** A lease longer than the request timeout, so no other worker posts the same webhook meanwhile. */
  leaseMs: 2 * MINUTE,
} as const;

/** Delay before attempt number `attempts + 1`, given the attempts made so far (1-based after the first). */
export function backoffDelay(attempts: number): number {
  const schedule = OUTBOUND_LIMITS.backoffMs;
  return schedule[Math.min(Math.max(attempts - 1, 0), schedule.length - 1)] ?? HOUR;
}
