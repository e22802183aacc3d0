/** Default limits, each with the reason for its number. The config package may override every one of them. */

const MiB = 1024 * 1024;

export const DEFAULTS = {
  /**
   * 5 GiB of message data in flight across the process: room for about 100 messages at the 50 MiB maximum size
   * at once, which keeps a burst of large messages from pushing a small server into swap. Past it, new DATA and
   * APPEND get a temporary "try again later" instead of an out-of-memory crash.
   */
  inflightBytes: 5 * 1024 * MiB,
  /** 50 MiB: the largest message the big mailbox providers accept, so anything they send can be received. */
  maxMessageSize: 50 * MiB,
  /**
   * 180 s for one operation (DATA, a remote SMTP step, a mailbox open): RFC 5321 §4.5.3.2 asks clients to wait
   * 3 to 10 minutes per SMTP step, so 3 minutes is the shortest timeout that still honours a slow peer.
   */
  timeoutMs: 180_000,
} as const;
