/**
 * Every fixed limit of the POP3 server, with the reason for its number, in one place (STYLE.md §7). Settings that
 * operators tune live in the config schema (pop3.*, limits.*: connections, failed logins, idle and command time,
 * minimum transfer rate); these are the constants it does not carry.
 */

const SECOND = 1000;
const MiB = 1024 * 1024;

export const POP3_LIMITS = Object.freeze({
  /**
   * Longest command line accepted, its line break excluded. RFC 2449 §4 allows 255 octets for a command, but an
   * AUTH PLAIN continuation carries base64 of an address (up to 320 octets) and a password; 8 KiB holds any real
   * one and ends a client that sends bytes without ever ending a line.
   */
  maxLineBytes: 8 * 1024,
  /**
   * Reply bytes waiting in memory past which no further command runs: one mid-sized message (a RETR is written
   * whole) or many short replies, and no more than that for a client that stops reading.
   */
  outputHighWaterBytes: 1 * MiB,
  /**
   * close(): how long open sessions may finish (a RETR in flight, a QUIT's UPDATE) before they are ended. 10 s
   * sends a 1 MiB reply at 100 KiB/s; tests and main.ts pass their own.
   */
  closeTimeoutMs: 10 * SECOND,
  /** SIGTERM: sessions get 20 s of PM2's 30 s kill timeout; the stores need the rest to close cleanly. */
  shutdownGraceMs: 20 * SECOND,
  /**
   * Connections accepted beyond pop3.maxConnections while their TLS handshake runs on the implicit-TLS port (they
   * are no sessions yet): phones waking together handshake at once; 100 keeps that overshoot small.
   */
  handshakesInFlight: 100,
  /** A refused client (too many connections) that never closes its side is cut off after 5 s, time to read why. */
  refusalLingerMs: 5 * SECOND,
  /**
   * Retry hint for a login refused because its user has too many connections: a minute, about the time a client
   * takes to notice and close its stale session.
   */
  userBusyRetryMs: 60 * SECOND,
  /**
   * Lease of a maildrop lock, renewed every third of it while the session lasts: a pop3 instance that dies frees
   * its maildrops within 30 s (a client reconnecting to another instance gets [IN-USE] until then), and a renewal
   * may be late by 20 s (a stalled event loop, a Redis failover) before the lease runs out.
   */
  maildropLeaseMs: 30 * SECOND,
});
