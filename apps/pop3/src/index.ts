/**
 * @mailyard/pop3 — the POP3 server (RFC 1939, CAPA and response codes RFC 2449, STLS RFC 2595, AUTH PLAIN
 * RFC 5034 / RFC 4616, response codes RFC 3206) over the encrypted mail store, built on wildduck's POP3 server.
 *
 * Layout: `createPop3Server(deps)` (server.ts) wires wildduck's hooks, one file each in handlers/ (on-auth,
 * on-list-messages, on-fetch-message, on-update); wildduck-pop3.ts holds the two subclasses that adapt wildduck
 * (command dispatch that keeps the session on unknown or failed commands, RETR in one write, QUIT's UPDATE reply,
 * STLS only before login, error logging) and explains why each change is there; dot-stuffing.ts frames RETR
 * bodies; limits.ts holds every fixed limit with its reason; pace.ts bounds slow clients; session-limits.ts
 * holds the failed-login gate (@mailyard/limits LoginGate), the per-IP and per-user connection limits and the
 * maildrop lock; open-mailboxes.ts releases what each connection holds. No process of its own: the imap process
 * (apps/imap/src/main.ts) listens on pop3.port (STLS) and pop3.tlsPort (implicit TLS) with it.
 *
 * Invariants:
 * - The maildrop is INBOX only. Message numbers are fixed for a session; UIDL is `<uidValidity>.<uid>`, stable
 *   across sessions.
 * - Nothing is removed before QUIT (RFC 1939 §6 UPDATE state): DELE only marks within the session, RSET unmarks,
 *   a dropped connection removes nothing. At QUIT the DELE'd UIDs are marked \Deleted and expunged, which publishes
 *   expunge events that IMAP sessions of the mailbox turn into EXPUNGE; retrieved messages get \Seen.
 * - RETR sends the stored bytes exactly, dot-stuffed on the wire (RFC 1939 §3).
 * - USER/PASS and AUTH PLAIN only after TLS (STLS or the TLS port) unless config.allowInsecureAuth.
 * - Every failed login is logged as `authentication failed` with {protocol: 'pop3', ip, user} (fail2ban matches
 *   it) and counted by the one LoginGate; past the limit the address is refused until its one-hour window ends.
 * - Replies to failures come from @mailyard/errors' toPop3Response; code bugs never leak detail.
 * - Each connection releases the mailbox it unlocked, and its connection slots, when it ends, however it ends.
 * - One logged-in session per mailbox (RFC 1939 §4 maildrop lock): a second gets `-ERR [IN-USE]` (RFC 2449
 *   §8.1.2). The lock is a lease in the coordination's locks (maildrop-locks.ts), which hold across every process
 *   and instance: a SQLite lease file on the machine without Redis, Redis with it. QUIT gives it back with its reply,
 *   after the UPDATE committed.
 * - Nothing received in plaintext after STLS is ever run (RFC 2595 §4).
 * - A login costs the same mailbox KDF work whether the user exists or the password is right (simulateUnlock).
 * - Slow clients are bounded (pace.ts): time per command line, reply drain rate, idle time, sessions per listener.
 *
 * No on-disk state of its own: the mailboxes belong to @mailyard/mailstore, credentials to @mailyard/control.
 */
/// <reference path="./wildduck.d.ts" />
export { MAILDROP, type Pop3Control, type Pop3Mailstore } from './context.js';
export { POP3_LIMITS } from './limits.js';
export { createPop3Server, type Pop3Deps, type Pop3Server } from './server.js';
export { createPop3Limits, type Pop3Limits } from './session-limits.js';
