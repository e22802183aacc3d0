/**
 * @mailyard/mailstore — zero-access encrypted mail storage: one encrypted SQLite database per mailbox, a sealed
 * inbound spool the server can write without being able to read, and cross-process change notification.
 *
 * Domain and RFCs: IMAP4rev1 message model (RFC 3501: UIDs, UIDVALIDITY, flags, SEARCH §6.4.4, BODY[section]
 * §6.4.5, RENAME §6.3.5), CONDSTORE/QRESYNC modseqs and journal (RFC 7162), UIDPLUS COPYUID (RFC 4315), MOVE
 * (RFC 6851), SPECIAL-USE folders (RFC 6154). Parsing is @mailyard/mail's (indexMessage, getSection).
 *
 * Encryption (keys.ts): a random 256-bit data key per mailbox is the raw ChaCha20-Poly1305 key of its database
 * (better-sqlite3-multiple-ciphers, no KDF per open). It is stored only wrapped, by scrypt(password) and
 * optionally by a recovery key shown once; a password change rewraps it. An X25519 key pair per mailbox: the
 * public key is plain in the key file, the private key is encrypted under the data key. deliver() seals to the
 * public key (ephemeral X25519 + HKDF-SHA256 + ChaCha20-Poly1305) into the spool (spool.ts explains its format).
 *
 * On disk (paths.ts), under dataDir:
 *   mailboxes/<ab>/<id>.db (+ -wal, -shm)   encrypted database, schema in schema.ts
 *   mailboxes/<ab>/<id>.keys.json           key file, written atomically (tmp + fsync + rename + dir fsync)
 *   spool/<ab>/<id>/*.sealed                sealed batches waiting for the mailbox to be unlocked
 *   notify/<ab>/<id>.events                 change events for other processes (notifier.ts); folder names in
 *                                           them other than INBOX are sealed (private-notifier.ts)
 *
 * Spam learning (bayes.ts): COPY/MOVE into \Junk trains the mailbox's own classifier as spam, out of it as ham; the
 * drain files likely spam bound for INBOX into Junk. Its token counts live in the encrypted database only.
 *
 * Backups list what to copy through listMailboxIds and mailboxBackupFiles (backup-files.ts), never by path.
 *
 * Invariants:
 * - deliver() resolves only after the sealed batch and its directory entry are fsynced; open() drains the spool.
 * - A spool batch is removed only after each of its records committed; record ids in the database make a
 *   repeated drain (after a crash) a no-op.
 * - Every write is one short IMMEDIATE transaction (UIDs and modseqs allocated inside it); WAL with
 *   synchronous=FULL, so a committed change survives kill -9. Publish a change only after its commit.
 *   The spool drain group-commits: records of several batch files (up to 4 MB) share one transaction, and
 *   full-text indexing waits until the drain is done (fts.ts), so new mail becomes visible first.
 * - One database handle per unlocked mailbox per process, shared by its sessions, closed after an idle grace
 *   period (LRU-capped); the data key is zeroed on close. A wrong password opens and changes nothing.
 * - Plaintext (messages, keys, passwords) never reaches disk outside the encrypted database.
 */
export { listMailboxIds, type MailboxBackupFiles, mailboxBackupFiles } from './backup-files.js';
export { kdfRunCount } from './keys.js';
export { DEFAULT_QUOTA_BYTES, Mailstore } from './mailstore.js';
export { FileChangeNotifier } from './notifier.js';
export { PrivateNotifier } from './private-notifier.js';
export type * from './types.js';
