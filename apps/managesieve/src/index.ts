/**
 * @mailyard/managesieve: the ManageSieve server (RFC 5804), the protocol mail clients (Thunderbird's sieve add-on,
 * Roundcube's managesieve, sieve-connect) use to manage Sieve scripts, on managesieve.port (4190 by default, the
 * IANA port of RFC 5804 §1.8), plain TCP with STARTTLS. serveManageSieve starts it inside a host process: the imap
 * process runs it beside IMAP (PM2 has no managesieve process).
 *
 * It needs only the control store (scripts are user settings kept there, and the login checks the mailbox
 * password's hash without opening the mailbox), so it holds no mailbox keys, page caches or IDLE state, and its
 * failed-login counters are its own scope of the host's coordination. Hosted rather than a process of its own: a
 * Node process costs 35-40 MB PSS at rest, and what a crash on 4190 could take down with it is bounded by the
 * session code here (every parser bound in limits.ts; a session error ends that session only).
 *
 * Layout: protocol/ (reader: the command grammar of §4 with its bounds; writer: strings and responses),
 * session.ts (one connection, states, STARTTLS), commands/ (one file per group, dispatch table in index.ts),
 * replies.ts (errors to NO/BYE with §1.3 response codes), limits.ts (every parser bound with its reason).
 *
 * Invariants: one command at a time per connection (the socket is paused while it runs); a script is stored only
 * after the control store checked it; no mailbox is ever unlocked here; no plaintext sent before STARTTLS reaches
 * the TLS session.
 */
export { capabilityResponse } from './capabilities.js';
export type { ManageSieveControl } from './context.js';
export { MANAGESIEVE_LIMITS } from './limits.js';
export { type ManageSieveHostDeps, serveManageSieve } from './serve.js';
export { createManageSieveServer, type ManageSieveServerDeps, type ManageSieveService } from './server.js';
