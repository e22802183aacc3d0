/// <reference path="./wildduck.d.ts" />
/**
 * @mailyard/imap — the IMAP server (IMAP4rev1, RFC 3501) of Mailyard, built on wildduck's imap-core.
 *
 * imap-core parses commands and writes replies; Mailyard supplies one hook per command (src/handlers/on-*.ts)
 * that runs it against the zero-access mail store, and a notifier (src/notifier.ts) over the store's change
 * journal. Extensions: IDLE (RFC 2177), NAMESPACE (RFC 2342), SPECIAL-USE (RFC 6154), UIDPLUS (RFC 4315),
 * UNSELECT (RFC 3691), ENABLE (RFC 5161), ID (RFC 2971), CONDSTORE and QRESYNC (RFC 7162; QRESYNC added around
 * imap-core in src/commands/qresync.ts), QUOTA (RFC 2087/9208), MOVE (RFC 6851), UTF8=ACCEPT (RFC 6855),
 * APPENDLIMIT (RFC 7889), COMPRESS=DEFLATE (RFC 4978), LITERAL+ (RFC 7888, src/input-guard.ts), SASL-IR
 * (RFC 4959) with AUTHENTICATE PLAIN (RFC 4616).
 *
 * On disk: nothing of its own; mailboxes live in the mail store under the data directory.
 *
 * Invariants:
 * - LOGIN/AUTHENTICATE only over TLS unless allowInsecureAuth; failed logins are rate limited per IP and logged
 *   as `authentication failed` with {protocol, ip, user} (fail2ban matches that message).
 * - A hook failure answers with the reply @mailyard/errors maps it to (NO [SERVERBUG] for a code bug, whose
 *   detail only reaches the log); see src/hook-failure.ts.
 * - APPEND is acknowledged only after the store committed the message.
 * - Updates from other sessions and processes are read back from the store's journal in modseq order and
 *   applied to each connection's own UID list, so sequence numbers stay consistent per connection.
 */
export { type CapabilityOptions, capabilityList } from './capabilities.js';
export { MailyardNotifier } from './notifier.js';
export { createImapLimits, createImapServer, type ImapDeps, type ImapLimits, type ImapServer } from './server.js';
