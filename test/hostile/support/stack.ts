/**
 * The servers the hostile tests attack, as the apps' own factories build them (createMxServer, createImapServer,
 * createPop3Server) on port 0 of 127.0.0.1, over one real control store and mail store in a temp data dir, with a
 * DNS responder on 127.0.0.1 that knows no names (no lookup leaves the machine). One hosted, verified domain
 * (hostile.test) with one mailbox holding a few corpus messages. The per-IP limits are raised so that the one
 * address every test client shares is not what ends a run; every other limit is the configured default.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Config, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createImapServer, type ImapServer } from '@mailyard/imap';
import { createLogger, type Logger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createPop3Server, type Pop3Server } from '@mailyard/pop3';
import { createMxServer } from '@mailyard/smtp';
import { corpusMessages, type DnsServer, startDnsServer, type TempDir, tempDir } from '@mailyard/testkit';

export const DOMAIN = 'hostile.test';
export const USER = `alice@${DOMAIN}`;
export const PASSWORD = 'hostile test password 4711';
const MAILBOX_ID = 'mbx-hostile-alice';
const TEST_KDF = { N: 1024, r: 8, p: 1 };
/** Log lines kept for failure reports (the newest). */
const KEPT_LOG_LINES = 200;
/** Corpus messages delivered to the mailbox, so FETCH, SEARCH, RETR and TOP have real MIME to walk. */
const DELIVERED_MESSAGES = 8;

export interface Stack {
  config: Config;
  logger: Logger;
  /** The newest log lines (JSON), for failure reports. */
  recentLogs(): string[];
  control: SqliteControlStore;
  mailstore: Mailstore;
  /** Delivers a message into the test mailbox (as SMTP delivery does: sealed into its spool). */
  deliver(raw: Buffer): Promise<void>;
  /** Starts a listener of the app on port 0; it is closed by close(). Resolves with its port. */
  listen(app: 'imap' | 'smtp' | 'pop3'): Promise<number>;
  /** The last IMAP and POP3 servers listen() started (their open connections and mailboxes). */
  servers: { imap?: ImapServer; pop3?: Pop3Server };
  close(): Promise<void>;
}

function keepingLogger(lines: string[]): Logger {
  return createLogger({
    level: 'info',
    pretty: false,
    destination: {
      write(line: string) {
        lines.push(line.trimEnd());
        if (lines.length > KEPT_LOG_LINES) lines.splice(0, lines.length - KEPT_LOG_LINES);
      },
    },
  });
}

/** A few corpus messages (read in place), or small synthetic ones when the corpus is absent locally. */
function sampleMessages(): Buffer[] {
  const files = corpusMessages().filter((_, i) => i % 25 === 0);
  const fromCorpus = files.slice(0, DELIVERED_MESSAGES).map((file) => readFileSync(file));
  const plain = Buffer.from(`From: bob@example.org\r\nTo: ${USER}\r\nSubject: hello\r\n\r\nHello there.\r\n`);
  return [plain, ...fromCorpus];
}

async function provision(control: SqliteControlStore, mailstore: Mailstore, tlsKey: string): Promise<void> {
  const account = await control.createAccount({ email: `owner@${DOMAIN}`, password: 'owner password 4711' });
  const domain = await control.createDomain({
    accountId: account.id,
    name: DOMAIN,
    verificationToken: randomBytes(8).toString('hex'),
    dkim: { selector: 'mail', publicKey: 'AAAA', privateKeyPem: tlsKey },
    verified: true,
  });
  const alias = await control.createAlias(domain.id, { name: 'alice', hasImap: true });
  await mailstore.createMailbox(MAILBOX_ID, PASSWORD);
  await control.setMailboxCredential(alias.id, MAILBOX_ID, PASSWORD);
  for (const raw of sampleMessages()) await mailstore.deliver(MAILBOX_ID, raw);
}

export async function startStack(): Promise<Stack> {
  const dir: TempDir = await tempDir('mailyard-hostile-');
  const dns: DnsServer = await startDnsServer();
  const lines: string[] = [];
  const logger = keepingLogger(lines);
  const many = 100_000;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: 'mx.hostile.test',
      bind: '127.0.0.1',
      allowInsecureAuth: true,
      dns: { resolver: dns.address, timeoutMs: 1000 },
      smtp: { maxConnectionsPerIp: many, authFailuresPerIpPerHour: many },
      imap: { maxConnectionsPerIp: many, authFailuresPerIpPerHour: many },
      pop3: { maxConnectionsPerIp: many, authFailuresPerIpPerHour: many },
    },
  });
  const runtime = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: runtime.masterKey, scryptCost: TEST_KDF });
  const mailstore = new Mailstore({ dataDir: dir.path, kdf: TEST_KDF, notifyPollMs: 50, logger });
  await provision(control, mailstore, runtime.tls.key);
  const closers: Array<() => Promise<void>> = [];
  const servers: Stack['servers'] = {};

  const listen = async (app: 'imap' | 'smtp' | 'pop3'): Promise<number> => {
    const deps = { config, logger, control, mailstore, tls: runtime.tls };
    if (app === 'imap') {
      const server = createImapServer(deps);
      servers.imap = server;
      closers.push(() => server.close());
      return server.listen(0, '127.0.0.1');
    }
    if (app === 'smtp') {
      const server = createMxServer({ ...deps, masterKey: runtime.masterKey });
      closers.push(() => server.close(500));
      return server.listen(0, '127.0.0.1');
    }
    const server = createPop3Server({ ...deps, closeTimeoutMs: 200 });
    servers.pop3 = server;
    closers.push(() => server.close());
    return server.listen(0, '127.0.0.1');
  };

  return {
    config,
    logger,
    recentLogs: () => [...lines],
    control,
    mailstore,
    deliver: (raw) => mailstore.deliver(MAILBOX_ID, raw),
    listen,
    servers,
    async close() {
      for (const close of closers.reverse()) await close();
      await mailstore.close();
      await control.close();
      await dns.close();
      await dir.cleanup();
    },
  };
}
