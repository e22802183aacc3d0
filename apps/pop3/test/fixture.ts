/**
 * A POP3 server on port 0 of 127.0.0.1 over a real SqliteControlStore and Mailstore in a temp data dir, with one
 * alias (alice@example.test) whose mailbox password is PASSWORD. Log lines are kept for assertions; `codeBugs()`
 * returns those logged at error level (a test run should have none).
 */
import { randomBytes } from 'node:crypto';
import { type Config, createSelfSignedPair, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { controlQuotaSource } from '@mailyard/runtime';
import { captureLog, type LogLine, type TempDir, tempDir } from '@mailyard/testkit';
import { createPop3Server, type Pop3Limits, type Pop3Server } from '../src/index.js';

export const ADDRESS = 'alice@example.test';
export const PASSWORD = 'correct horse battery staple';
export const MAILBOX_ID = 'mbx-alice';

export const TEST_KDF = { N: 1024, r: 8, p: 1 };
const TLS = createSelfSignedPair('localhost');

export interface Pop3Fixture {
  port: number;
  config: Config;
  service: Pop3Server;
  mailstore: Mailstore;
  control: SqliteControlStore;
  dir: TempDir;
  logs: LogLine[];
  deliver(raw: Buffer | string): Promise<void>;
  /** Another Mailstore on the same data dir, as the IMAP process would have. */
  otherProcess(): Mailstore;
  codeBugs(): LogLine[];
  close(): Promise<void>;
}

export interface FixtureOptions {
  allowInsecureAuth?: boolean;
  secure?: boolean;
  limits?: Pop3Limits;
  /** pop3 settings over the defaults (connection limits, failed-login limit). */
  pop3?: Partial<Config['pop3']>;
  /** `limits` settings over the defaults (command time budget, minimum transfer rate). */
  limitSettings?: Partial<Config['limits']>;
  /** A data dir the caller owns and removes (a small filesystem to fill); a fresh temp dir otherwise. */
  dataDir?: string;
}

export async function startPop3(opts: FixtureOptions = {}): Promise<Pop3Fixture> {
  const dir: TempDir = opts.dataDir ? callerOwned(opts.dataDir) : await tempDir('pop3-');
  const log = captureLog({ level: 'info' });
  const { logger, lines: logs } = log;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: 'localhost',
      allowInsecureAuth: opts.allowInsecureAuth ?? true,
      ...(opts.pop3 ? { pop3: opts.pop3 } : {}),
      ...(opts.limitSettings ? { limits: opts.limitSettings } : {}),
    },
  });
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32), scryptCost: TEST_KDF });
  const mailstores: Mailstore[] = [];
  const newMailstore = () => {
    const store = new Mailstore({
      dataDir: dir.path,
      kdf: TEST_KDF,
      idleCloseMs: 20,
      notifyPollMs: 50,
      quotaSource: controlQuotaSource(control, config.mailbox.quotaBytes),
    });
    mailstores.push(store);
    return store;
  };
  const mailstore = newMailstore();
  await createAlice(control, mailstore);
  const service = createPop3Server({
    config,
    logger,
    control,
    mailstore,
    secure: opts.secure,
    tls: TLS,
    limits: opts.limits,
    closeTimeoutMs: 200,
  });
  const port = await service.listen(0, '127.0.0.1');
  return {
    port,
    config,
    service,
    mailstore,
    control,
    dir,
    logs,
    deliver: (raw) => mailstore.deliver(MAILBOX_ID, Buffer.isBuffer(raw) ? raw : Buffer.from(raw)),
    otherProcess: newMailstore,
    codeBugs: () => log.atLeast(50),
    async close() {
      await service.close();
      for (const store of mailstores) await store.close();
      await control.close();
      await dir.cleanup();
    },
  };
}

function callerOwned(path: string): TempDir {
  const cleanup = async () => undefined;
  return { path, cleanup, [Symbol.asyncDispose]: cleanup };
}

async function createAlice(control: SqliteControlStore, mailstore: Mailstore): Promise<void> {
  const account = await control.createAccount({ email: 'owner@example.test', password: 'owner password' });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'example.test',
    verificationToken: 'token',
    dkim: { selector: 'mail', publicKey: 'AAAA', privateKeyPem: TLS.key },
    verified: true,
  });
  const alias = await control.createAlias(domain.id, { name: 'alice', hasImap: true });
  await mailstore.createMailbox(MAILBOX_ID, PASSWORD);
  await control.setMailboxCredential(alias.id, MAILBOX_ID, PASSWORD);
}

/** A small RFC 5322 message with CRLF line endings; `body` lines may start with dots to exercise stuffing. */
export function message(subject: string, body = 'Hello.\r\n'): Buffer {
  return Buffer.from(
    [
      'From: Bob <bob@example.org>',
      `To: ${ADDRESS}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomBytes(8).toString('hex')}@example.org>`,
      'Date: Sun, 29 Nov 2026 10:00:00 +0000',
      '',
      body,
    ].join('\r\n'),
  );
}
