/**
 * Test harness: a real server on 127.0.0.1 port 0 over a temp data dir, a real SqliteControlStore and Mailstore
 * (password costs lowered), users made through control + mailstore.createMailbox, and a captured log.
 */
import { randomBytes } from 'node:crypto';
import { type Config, type DeepPartial, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { controlQuotaSource } from '@mailyard/runtime';
import { captureLog, type LogLine, type TempDir, tempDir } from '@mailyard/testkit';
import {
  type FetchMessageObject,
  type FetchQueryObject,
  ImapFlow,
  type ImapFlowOptions,
  type StatusObject,
  type StatusQuery,
} from 'imapflow';
import { createImapServer, type ImapServer } from '../src/index.js';
import type { ProtocolLimits } from '../src/protocol/limits.js';

export const DOMAIN = 'example.test';
export const PASSWORD = 'correct horse battery';

export interface TestUser {
  address: string;
  password: string;
  mailboxId: string;
  aliasId: string;
  domainId: string;
}

export interface Harness {
  config: Config;
  dataDir: string;
  port: number;
  tlsPort: number;
  server: ImapServer;
  mailstore: Mailstore;
  control: SqliteControlStore;
  logs: LogLine[];
  tls: { key: string; cert: string };
  addUser(local: string, password?: string): Promise<TestUser>;
  client(user: TestUser, options?: Partial<ImapFlowOptions>): Promise<ImapFlow>;
  /** Log lines at error level that report code bugs. */
  codeBugs(): LogLine[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Protocol limits to lower for a test (apps/imap/src/protocol/limits.ts). */
  protocol?: Partial<ProtocolLimits>;
  /** How long the mail store keeps an unused mailbox open (default 30 s). */
  idleCloseMs?: number;
  /** Use this directory as the data dir (e.g. a small tmpfs) instead of a new temp dir; it is not removed. */
  dataDir?: string;
}

export async function startHarness(
  overrides: DeepPartial<Config> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir: TempDir = options.dataDir
    ? { path: options.dataDir, cleanup: async () => undefined, [Symbol.asyncDispose]: async () => undefined }
    : await tempDir('mailyard-imap-');
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: 'localhost',
      allowInsecureAuth: true,
      ...overrides,
      imap: { ...overrides.imap },
    },
  });
  const runtime = await ensureRuntimeFiles(config);
  const log = captureLog({ level: 'info' });
  const { logger, lines: logs } = log;
  const control = new SqliteControlStore({
    dataDir: dir.path,
    masterKey: runtime.masterKey,
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  const mailstore = new Mailstore({
    dataDir: dir.path,
    kdf: { N: 1024 },
    notifyPollMs: 50,
    quotaSource: controlQuotaSource(control, config.mailbox.quotaBytes),
    ...(options.idleCloseMs !== undefined ? { idleCloseMs: options.idleCloseMs } : {}),
  });
  const account = await control.createAccount({ email: `admin@${DOMAIN}`, password: PASSWORD });
  const domain = await control.createDomain({
    accountId: account.id,
    name: DOMAIN,
    verificationToken: 'token',
    dkim: { selector: 'test', publicKey: 'AAAA', privateKeyPem: 'unused' },
    verified: true,
  });
  const protocol = options.protocol ?? {};
  const server = createImapServer({ config, logger, control, mailstore, tls: runtime.tls, protocol });
  const secureServer = createImapServer({
    config,
    logger,
    control,
    mailstore,
    secure: true,
    tls: runtime.tls,
    protocol,
  });
  const port = await server.listen(0, '127.0.0.1');
  const tlsPort = await secureServer.listen(0, '127.0.0.1');
  const clients: ImapFlow[] = [];

  return {
    config,
    dataDir: dir.path,
    port,
    tlsPort,
    server,
    mailstore,
    control,
    logs,
    tls: runtime.tls,
    async addUser(local, password = PASSWORD) {
      const alias = await control.createAlias(domain.id, { name: local, hasImap: true });
      const mailboxId = randomBytes(8).toString('hex');
      await mailstore.createMailbox(mailboxId, password);
      await control.setMailboxCredential(alias.id, mailboxId, password);
      return { address: `${local}@${DOMAIN}`, password, mailboxId, aliasId: alias.id, domainId: domain.id };
    },
    async client(user, options = {}) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        doSTARTTLS: false,
        auth: { user: user.address, pass: user.password },
        logger: false,
        tls: { rejectUnauthorized: false },
        ...options,
      });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
    codeBugs: log.codeBugs,
    async close() {
      await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
      await server.close();
      await secureServer.close();
      await mailstore.close();
      await control.close();
      await dir.cleanup();
    },
  };
}

/** fetchOne that fails the test instead of returning false for a missing message. */
export async function fetchOne(
  client: ImapFlow,
  range: string,
  query: FetchQueryObject,
  options?: { uid?: boolean },
): Promise<FetchMessageObject> {
  const result = await client.fetchOne(range, query, options);
  if (!result) throw new Error(`no message ${range}`);
  return result;
}

/** A message's flags, sorted, without \Recent (which depends on which session saw the message first). */
export function withoutRecent(flags: Set<string> | undefined): string[] {
  return [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();
}

/** STATUS that fails the test instead of returning false. */
export async function statusOf(client: ImapFlow, path: string, query: StatusQuery): Promise<StatusObject> {
  const result = await client.status(path, query);
  if (!result) throw new Error(`no status for ${path}`);
  return result;
}

/** A small RFC 5322 message with CRLF line ends. */
export function message(subject: string, body = 'Hello there.', extra = ''): Buffer {
  return Buffer.from(
    [
      `From: Sender <sender@${DOMAIN}>`,
      `To: user@${DOMAIN}`,
      `Subject: ${subject}`,
      'Date: Mon, 2 Nov 2026 10:00:00 +0000',
      `Message-ID: <${randomBytes(6).toString('hex')}@${DOMAIN}>`,
      ...(extra ? [extra] : []),
      '',
      body,
      '',
    ].join('\r\n'),
  );
}
