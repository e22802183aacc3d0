/**
 * A complete SMTP test bed on 127.0.0.1: temp data dir, control store with a hosted domain and aliases, mail
 * store, a test DNS responder that serves every record the flows look up, and a scriptable "remote MX"
 * (smtp-server on port 0) that receives what the outbound worker delivers.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type Config, createSelfSignedPair, type DeepPartial, loadConfig } from '@mailyard/config';
import { type Alias, SqliteControlStore } from '@mailyard/control';
import type { Logger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import {
  captureLog,
  type DnsServer,
  type LogLine,
  startDnsServer,
  type TempDir,
  tempDir,
  txtChunks,
} from '@mailyard/testkit';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { SmtpDeps } from '../src/deps.js';

export const HOSTED = 'hosted.test';
export const REMOTE = 'remote.test';
export const PASSWORD = 'correct horse battery staple';
const TLS = createSelfSignedPair('mx.hosted.test');

export interface DkimKey {
  selector: string;
  privateKeyPem: string;
  publicKey: string;
}

export function dkimKey(selector = 'test1'): DkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    selector,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export function publishDkim(dns: DnsServer, domain: string, key: DkimKey): void {
  dns.table.txt.set(`${key.selector}._domainkey.${domain}`, [txtChunks(`v=DKIM1; k=rsa; p=${key.publicKey}`)]);
}

export interface Harness {
  dir: TempDir;
  config: Config;
  logger: Logger;
  logs: LogLine[];
  dns: DnsServer;
  control: SqliteControlStore;
  mailstore: Mailstore;
  masterKey: Buffer;
  hostedKey: DkimKey;
  aliases: Record<'alice' | 'bob' | 'fwd' | 'both', Alias>;
  deps(extra?: Partial<SmtpDeps>): SmtpDeps;
  /** Messages in a folder of an alias's mailbox, oldest first. */
  mailbox(alias: Alias, folder?: string): Promise<Buffer[]>;
  close(): Promise<void>;
}

/** Gives an alias a new mailbox (password PASSWORD) and returns the alias as it now is. */
export async function addMailbox(
  h: { control: SqliteControlStore; mailstore: Mailstore },
  alias: Alias,
): Promise<Alias> {
  const mailboxId = randomBytes(8).toString('hex');
  await h.mailstore.createMailbox(mailboxId, PASSWORD);
  await h.control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
  return { ...alias, mailboxId, hasImap: true };
}

export async function startHarness(overrides: DeepPartial<Config> = {}): Promise<Harness> {
  const dir = await tempDir('mailyard-smtp-');
  const dns = await startDnsServer();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: 'mx.hosted.test',
      bind: '127.0.0.1',
      dns: { resolver: dns.address, timeoutMs: 2000 },
      ...overrides,
    },
  });
  const log = captureLog({ level: 'info' });
  const { logger, lines: logs } = log;
  const masterKey = randomBytes(32);
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost: { N: 1024, r: 8, p: 1 } });
  const mailstore = new Mailstore({ dataDir: dir.path, kdf: { N: 1024 }, notifyPollMs: 50, logger });
  const account = await control.createAccount({ email: 'owner@hosted.test', password: 'owner-password' });
  const hostedKey = dkimKey('mx1');
  const domain = await control.createDomain({
    accountId: account.id,
    name: HOSTED,
    verificationToken: 'token',
    dkim: hostedKey,
    dmarcPolicy: 'reject',
    verified: true,
  });
  publishDkim(dns, HOSTED, hostedKey);
  dns.table.txt.set(HOSTED, [['v=spf1 ip4:127.0.0.1 -all']]);
  dns.table.mx.set(REMOTE, [{ preference: 10, exchange: `mx.${REMOTE}` }]);
  dns.table.a.set(`mx.${REMOTE}`, ['127.0.0.1']);
  const h = { control, mailstore };
  const aliases = {
    alice: await addMailbox(h, await control.createAlias(domain.id, { name: 'alice' })),
    bob: await addMailbox(h, await control.createAlias(domain.id, { name: 'bob' })),
    fwd: await control.createAlias(domain.id, { name: 'fwd', recipients: [`carol@${REMOTE}`] }),
    both: await addMailbox(h, await control.createAlias(domain.id, { name: 'both', recipients: [`dave@${REMOTE}`] })),
  };
  return {
    dir,
    config,
    logger,
    logs,
    dns,
    control,
    mailstore,
    masterKey,
    hostedKey,
    aliases,
    deps: (extra = {}) => ({ config, logger, control, mailstore, masterKey, tls: TLS, ...extra }),
    async mailbox(alias, folder = 'INBOX') {
      const session = await mailstore.open(alias.mailboxId ?? '', PASSWORD);
      try {
        return session.listMessages(folder).map((m) => session.getRaw(folder, m.uid) ?? Buffer.alloc(0));
      } finally {
        session.close();
      }
    },
    /** Cleans up, then fails the file if anything was logged at error level (code bugs, failed drains). */
    async close() {
      await mailstore.close();
      await control.close();
      await dns.close();
      await dir.cleanup();
      const errors = log.atLeast(50);
      if (errors.length > 0) throw new Error(`errors were logged: ${JSON.stringify(errors).slice(0, 2000)}`);
    },
  };
}

export interface RemoteMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** DSN parameters as smtp-server parsed them (RFC 3461): MAIL FROM's RET/ENVID and each RCPT's NOTIFY/ORCPT. */
  dsn: { envelope: unknown; recipients: unknown[] };
}

export interface RemoteMx {
  port: number;
  received: RemoteMessage[];
  /** Replies for the next DATA commands, in order; an empty queue accepts. Each entry: [code, text]. */
  dataReplies: Array<[number, string]>;
  /** Recipients refused at RCPT TO with this reply. */
  refuseRcpt: Map<string, [number, string]>;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** A remote MTA for the outbound worker to deliver to (STARTTLS offered, like most of the Internet). */
export async function startRemoteMx(): Promise<RemoteMx> {
  const received: RemoteMessage[] = [];
  const dataReplies: Array<[number, string]> = [];
  const refuseRcpt = new Map<string, [number, string]>();
  const server = new SMTPServer({
    key: TLS.key,
    cert: TLS.cert,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideDSN: false,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const refusal = refuseRcpt.get(address.address);
      callback(refusal ? smtpError(refusal[0], refusal[1]) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const next = dataReplies.shift();
        if (next) return callback(smtpError(next[0], next[1]));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          dsn: {
            envelope: (session.envelope as { dsn?: unknown }).dsn,
            recipients: session.envelope.rcptTo.map((r) => (r as { dsn?: unknown }).dsn),
          },
        });
        callback(null, 'Ok: remote queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    dataReplies,
    refuseRcpt,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A test message with CRLF line endings. */
export function message(opts: { from: string; to: string; subject?: string; body?: string; extra?: string }): Buffer {
  const lines = [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject ?? 'Hello'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@test>`,
    ...(opts.extra ? [opts.extra] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Hello there.\r\nSecond line with 8-bit: caf\u00e9.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
