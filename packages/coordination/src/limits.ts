/**
 * Every number that shapes coordination, with its reason. Tests read them from here (never copy them).
 */
export const COORDINATION_LIMITS = {
  /** A Redis command slower than this counts as an outage: a healthy round trip is well under 1 ms locally. */
  commandTimeoutMs: 1_000,
  /** A TCP or TLS connect to Redis slower than this is abandoned and retried. */
  connectTimeoutMs: 2_000,
  /** Reconnect back-off: the first delay, doubling per attempt ... */
  reconnectFirstMs: 100,
  /** ... up to this cap, so a restarted Redis is found again within about 2 s. */
  reconnectCapMs: 2_000,
  /** After a failure, calls skip Redis this long: a hung Redis costs one command timeout per interval, not per call. */
  probeIntervalMs: 1_000,
  /**
   * After a reconnect, events also go through the files this long: longer than the back-off cap, so the other
   * instances have reconnected (and subscribed again) before events go through Redis alone.
   */
  recoveryOverlapMs: 5_000,
  /**
   * When an outage starts the file watch, every subscribed mailbox is told to re-read (a resync): this many
   * mailboxes at once, then the next as many after resyncTickMs. An IMAP process holding thousands of IDLE sessions
   * would otherwise drain every spool and re-read every selected folder in one burst just as Redis went away;
   * 50 per 100 ms still tells 5,000 mailboxes within 10 s, and events published meanwhile are heard at once.
   */
  resyncBatch: 50,
  resyncTickMs: 100,
  /** Startup waits this long for the first connection, then serves from the fallback: a local Redis answers in ms. */
  firstConnectWaitMs: 3_000,
  /** Expired lock leases nobody asked for again are swept out at most this often (on the next acquire). */
  lockSweepIntervalMs: 60_000,
  /**
   * Fencing tokens never fall below the clock times this, so they keep increasing across a restart as long as
   * fewer than 1,000 locks a millisecond are taken; Date.now() x 1,000 stays a safe integer until the year 2255.
   */
  tokensPerMs: 1_000,
} as const;
