/**
 * The numbers of the SMTP processes, each with its reason. Settings that operators tune live in the config
 * schema (smtp.*, limits.*); these are protocol constants and defaults the schema does not carry.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SMTP_LIMITS = {
  /**
   * More Received headers than this means the message is looping between servers (RFC 5321 §6.3 asks for loop
   * detection by counting Received headers; Postfix and Exim both stop at 25 here as well).
   */
  maxReceivedHeaders: 25,
  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; SMTP extensions add parameters, so allow 4 KiB. */
  maxCommandLength: 4096,
  /** Commands a client may send before authenticating on submission (smtp-server's default is 10). */
  maxUnauthenticatedCommands: 20,
  /** How long a failed-AUTH block lasts once an IP went past its hourly allowance. */
  authFailureWindowMs: HOUR,
  /** Sender rate window: messages per sender are counted per hour (config smtp.messagesPerSenderPerHour). */
  senderWindowMs: HOUR,
  /** Daily send limit window (config smtp.dailySendLimit). */
  dailyWindowMs: DAY,
  /** SIGTERM: the whole shutdown must fit PM2's 30 s kill timeout; in-flight DATA gets most of it. */
  shutdownGraceMs: 25 * SECOND,
  /** Reverse DNS of a client is skipped: it costs a lookup per connection and feeds nothing we decide on. */
  reverseLookup: false,
} as const;

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

/** Delay before attempt number `attempts + 1`, given the attempts made so far (1-based after the first). */
export function backoffDelay(attempts: number): number {
  const schedule = OUTBOUND_LIMITS.backoffMs;
  return schedule[Math.min(Math.max(attempts - 1, 0), schedule.length - 1)] ?? HOUR;
}
