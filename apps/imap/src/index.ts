/**
 * @mailyard/imap — the IMAP server of Mailyard (IMAP4rev1, RFC 3501; RFC 9051 grammar), on its own protocol
 * layer (src/protocol/: framer, parser, connection; imap-core's design, our code) with one file per command in
 * src/commands/ running it against the zero-access mail store, each session's view of its selected folder in
 * src/selected-view.ts, and a notifier (src/notifier.ts) over the store's change events.
 * Extensions: IDLE (RFC 2177), NAMESPACE (RFC 2342), SPECIAL-USE (RFC 6154), UIDPLUS (RFC 4315), UNSELECT
 * (RFC 3691), ENABLE (RFC 5161), ID (RFC 2971), CONDSTORE and QRESYNC (RFC 7162), QUOTA (RFC 9208), MOVE
 * (RFC 6851), UTF8=ACCEPT (RFC 6855), APPENDLIMIT (RFC 7889), COMPRESS=DEFLATE (RFC 4978), LITERAL+ (RFC 7888),
 * SASL-IR (RFC 4959) with AUTHENTICATE PLAIN (RFC 4616).
 *
 * On disk: nothing of its own; mailboxes live in the mail store under the data directory.
 *
 * Invariants:
 * - LOGIN/AUTHENTICATE only over TLS unless allowInsecureAuth; failed logins go through the one LoginGate and
 *   are logged as `authentication failed` with {protocol, ip, user} (fail2ban matches that message).
 * - A command failure is mapped once, at the edge (protocol/connection.ts), by @mailyard/errors (NO [SERVERBUG]
 *   for a code bug, whose detail only reaches the log), and never outlives its command.
 * - APPEND is acknowledged only after the store committed the message.
 * - Each session tells its client changes in the order and at the points RFC 3501 §7.4.1 allows, read back
 *   from the store's change journal, so sequence numbers stay consistent per session.
 */
export { capabilityList, registerCapability } from './capabilities.js';
export { SessionChangeRelay } from './notifier.js';
export { createImapLimits, createImapServer, type ImapDeps, type ImapLimits, type ImapServer } from './server.js';
