/**
 * Schema of control.db. Each entry of MIGRATIONS moves the database from version i to i+1 (PRAGMA user_version);
 * never edit a shipped migration, append a new one.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX api_tokens_account ON api_tokens(account_id, created_at);
  CREATE TABLE domains (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    verification_token TEXT NOT NULL,
    dkim_selector TEXT NOT NULL,
    dkim_public_key TEXT NOT NULL,
    dkim_private_key BLOB NOT NULL,
    dmarc_policy TEXT NOT NULL DEFAULT 'quarantine',
    description TEXT NOT NULL DEFAULT '',
    last_dns_check TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX domains_account ON domains(account_id, name);
  CREATE TABLE aliases (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '[]',
    has_imap INTEGER NOT NULL DEFAULT 0,
    is_enabled INTEGER NOT NULL DEFAULT 1,
    description TEXT NOT NULL DEFAULT '',
    mailbox_id TEXT UNIQUE,
    mailbox_password_hash TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (domain_id, name)
  );
  CREATE INDEX aliases_created ON aliases(domain_id, created_at);
  CREATE TABLE queue (
    id TEXT PRIMARY KEY,
    envelope_from TEXT NOT NULL,
    recipients TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    body BLOB,
    locked_by TEXT,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX queue_due ON queue(state, next_attempt_at);
  CREATE INDEX queue_created ON queue(created_at);
  CREATE TABLE delivery_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX delivery_log_queue ON delivery_log(queue_id, id);
  `,
  // 2: alias count per domain kept by triggers, so an unfiltered alias list pages without count(*) over the domain.
  `
  ALTER TABLE domains ADD COLUMN alias_count INTEGER NOT NULL DEFAULT 0;
  UPDATE domains SET alias_count = (SELECT count(*) FROM aliases WHERE aliases.domain_id = domains.id);
  CREATE TRIGGER aliases_counted_insert AFTER INSERT ON aliases BEGIN
    UPDATE domains SET alias_count = alias_count + 1 WHERE id = NEW.domain_id;
  END;
  CREATE TRIGGER aliases_counted_delete AFTER DELETE ON aliases BEGIN
    UPDATE domains SET alias_count = alias_count - 1 WHERE id = OLD.domain_id;
  END;
  `,
  // 3: dashboard sessions, keyed by the SHA-256 of the cookie secret, so every web process (and a restart) shares them.
  `
  CREATE TABLE web_sessions (
    digest TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    note TEXT
  );
  CREATE INDEX web_sessions_account ON web_sessions(account_id);
  CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
  `,
  // 4: DSN parameters (RFC 3461) of a queued message, JSON; NULL when it came without any.
  `
  ALTER TABLE queue ADD COLUMN dsn TEXT;
  `,
  // 5: addresses an alias may send as besides its own (JSON list of 'local@domain' and '*@domain').
  `
  ALTER TABLE aliases ADD COLUMN can_send_as TEXT NOT NULL DEFAULT '[]';
  `,
  // 6: domain verification. Only verified domains are hosted for routing. Domains that exist already were added
  // before the rule (by operators, or by accounts the operator let in) and receive mail today: they stay verified,
  // marked 'migration' so an operator can tell them apart (mailyard list-domains).
  `
  ALTER TABLE domains ADD COLUMN verified_at INTEGER;
  ALTER TABLE domains ADD COLUMN verified_by TEXT;
  UPDATE domains SET verified_at = created_at, verified_by = 'migration';
  `,
  // 7: Sieve marks (vacation replies sent, duplicate ids seen), per owner (mailbox id), by SHA-256 of the key.
  `
  CREATE TABLE sieve_marks (
    owner_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, digest)
  ) WITHOUT ROWID;
  CREATE INDEX sieve_marks_expiry ON sieve_marks(expires_at);
  `,
  // 8: Sieve scripts per alias (RFC 5804 §1.3: many named scripts, at most one active: the partial unique index).
  `
  CREATE TABLE sieve_scripts (
    id TEXT PRIMARY KEY,
    alias_id TEXT NOT NULL REFERENCES aliases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (alias_id, name)
  );
  CREATE UNIQUE INDEX sieve_scripts_active ON sieve_scripts(alias_id) WHERE is_active = 1;
  `,
  // 9: spam filter settings per domain (NULL score: the server default, config spam.*), the domain's sender allow
  // and block lists (an address or a domain each), and greylisting triplets (SHA-256 of client network, sender and
  // recipient) with the time a retry is first accepted and when the triplet is forgotten.
  `
  CREATE TABLE domain_spam_settings (
    domain_id TEXT PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
    junk_score REAL,
    reject_score REAL,
    greylisting INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE domain_spam_lists (
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    list TEXT NOT NULL CHECK (list IN ('allow', 'block')),
    entry TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (domain_id, list, entry)
  ) WITHOUT ROWID;
  CREATE TABLE greylist (
    digest TEXT PRIMARY KEY,
    retry_after INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX greylist_expiry ON greylist(expires_at);
  `,
  // 10: messages sent through the REST API (POST /v1/emails), per account: what GET /v1/emails lists and the daily
  // limit counts. No content: the message itself is in the outbound queue (sealed) and the recipients' spools.
  // local_recipients: JSON list of hosted addresses it was delivered to at once; queue_id: its remote part.
  `
  CREATE TABLE sent_emails (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    alias_id TEXT,
    sender TEXT NOT NULL,
    domain TEXT NOT NULL,
    message_id TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL,
    local_recipients TEXT NOT NULL DEFAULT '[]',
    queue_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX sent_emails_account ON sent_emails(account_id, created_at);
  CREATE INDEX sent_emails_domain ON sent_emails(domain, created_at);
  CREATE INDEX sent_emails_sender ON sent_emails(sender, created_at);
  `,
  // 11: webhooks. Each domain's HMAC secret for signing them (sealed with a key derived from the master key,
  // made on first use), and the durable queue of webhook POSTs (alias recipients that are URLs), bodies sealed
  // like the outbound queue's; retried with back-off until delivered or given up.
  `
  ALTER TABLE domains ADD COLUMN webhook_secret BLOB;
  CREATE TABLE webhook_queue (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    body BLOB,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    locked_by TEXT,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX webhook_queue_due ON webhook_queue(state, next_attempt_at);
  `,
  // 12: the mail log of each domain (GET /v1/logs): inbound deliveries and refusals, outbound deliveries, deferrals
  // and bounces, one row per recipient, without content; kept 30 days (the jobs process prunes it).
  `
  CREATE TABLE mail_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    event TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    response TEXT,
    message_id TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX mail_events_domain ON mail_events(domain_id, at);
  CREATE INDEX mail_events_at ON mail_events(at);
  `,
  // 13: event webhooks of a domain: a URL that gets a signed POST for each mail log event it names (JSON list of
  // 'delivered', 'deferred', 'bounced', 'rejected'), through the webhook queue.
  `
  CREATE TABLE event_webhooks (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX event_webhooks_domain ON event_webhooks(domain_id, created_at);
  `,
  // 14: quotas. Per mailbox (max_quota bytes, max_messages; NULL: the domain's per-alias default, then the server
  // default) and per domain (max_quota_per_alias, and max_quota over all its mailboxes). storage_used and
  // message_count are the mailbox's last known usage, kept outside the encrypted mailbox so delivery can enforce
  // the quota without unlocking it (sizes only, which the mailbox file's size tells anyway).
  `
  ALTER TABLE aliases ADD COLUMN max_quota INTEGER;
  ALTER TABLE aliases ADD COLUMN max_messages INTEGER;
  ALTER TABLE aliases ADD COLUMN storage_used INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE aliases ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE domains ADD COLUMN max_quota_per_alias INTEGER;
  ALTER TABLE domains ADD COLUMN max_quota INTEGER;
  `,
  // 15: aliases as people use them: labels (JSON list), the SMTP answer while disabled (250 accept and discard,
  // 421 defer, 550 refuse), recipient verification of external forwards, and pattern aliases (a wildcard or a
  // regular expression in name, matched after exact and +tag names, before the catch-all). Names with '*' stored
  // before were literal; they become the wildcards their owners wrote (a name of stars alone stays literal).
  `
  ALTER TABLE aliases ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE aliases ADD COLUMN error_code_if_disabled INTEGER NOT NULL DEFAULT 250;
  ALTER TABLE aliases ADD COLUMN has_recipient_verification INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE aliases ADD COLUMN pattern_kind TEXT NOT NULL DEFAULT 'exact';
  CREATE INDEX aliases_patterns ON aliases(domain_id, created_at) WHERE pattern_kind != 'exact';
  CREATE TABLE alias_recipient_verifications (
    alias_id TEXT NOT NULL REFERENCES aliases(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    verified_at INTEGER,
    PRIMARY KEY (alias_id, recipient)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX alias_recipient_verifications_token ON alias_recipient_verifications(token_digest);
  UPDATE aliases SET pattern_kind = 'wildcard' WHERE name LIKE '%*%' AND replace(name, '*', '') != '';
  `,
  // 16: domain members and invites: several accounts manage one domain, each as 'admin' or 'user'. The owner
  // (domains.account_id) is a member as admin from the start. An invite is kept by the SHA-256 of its secret.
  `
  CREATE TABLE domain_members (
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (domain_id, account_id)
  ) WITHOUT ROWID;
  CREATE INDEX domain_members_account ON domain_members(account_id);
  INSERT INTO domain_members (domain_id, account_id, role, created_at) SELECT id, account_id, 'admin', created_at FROM domains;
  CREATE TABLE domain_invites (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    digest TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (domain_id, email)
  );
  `,
  // 17: Forward Email's domain-wide recipient verification (every alias of the domain verifies its forwards).
  `
  ALTER TABLE domains ADD COLUMN has_recipient_verification INTEGER NOT NULL DEFAULT 0;
  `,
  // 18: a domain's summed usage (its quota, on every quota check and every alias shown) read from an index that
  // holds the usage columns instead of the whole alias rows: on a 10,000-alias domain a mailbox's quota record
  // took 0.61 ms, now 0.32 ms.
  `
  CREATE INDEX aliases_domain_usage ON aliases(domain_id, storage_used, message_count);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies pending migrations in one transaction each; refuses a database newer than this code. The version is
 * read inside each write transaction, so processes opening a new control.db together (PM2 starts them at once)
 * apply every migration exactly once. `target` stops early (tests build an old database with it).
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): void {
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(`control.db schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`);
    }
    if (current >= target) return false;
    db.exec(MIGRATIONS[current] ?? '');
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction until the schema is current
  }
}
