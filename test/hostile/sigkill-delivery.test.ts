/**
 * SIGKILL during delivery loses nothing acknowledged. The MX process (the built apps/smtp dist/main.js mx, as PM2
 * runs it; skipped locally with a printed reason when not built, failing when CI=true) takes mail from several concurrent senders and is killed with SIGKILL at random moments, then
 * started again on the same data dir, several times. Every message that got its 250 after DATA must be in the
 * mailbox afterwards, byte for byte its body token: "a message is acknowledged only after it is durably stored".
 * (test/start.test.ts covers SIGTERM in the middle of DATA; this is the hard kill.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import {
  createPrng,
  type DnsServer,
  noteChildLogLine,
  repoRoot,
  startDnsServer,
  type TempDir,
  tempDir,
  unavailable,
} from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WireConnection } from './support/wire.js';

const SEED = 9;
const KILLS = 2;
const SENDERS = 4;
const USER = 'alice@kill.test';
const PASSWORD = 'sigkill test password 4711';
const MAILBOX_ID = 'mbx-kill-alice';
const KDF = { N: 1024, r: 8, p: 1 };
const START_MS = 60_000;
const main = join(repoRoot(), 'apps', 'smtp', 'dist', 'main.js');
/** The built MX starts in about a second; through tsx from source it takes tens on a loaded machine. */
const built = existsSync(main) || unavailable(`${main} is not built (run the build first)`);

let dir: TempDir;
let dns: DnsServer;
const children: ChildProcess[] = [];

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MAILYARD_DATA_DIR: dir.path,
    MAILYARD_HOSTNAME: 'mx.kill.test',
    MAILYARD_BIND: '127.0.0.1',
    MAILYARD_LOG_PRETTY: 'false',
    MAILYARD_DNS_RESOLVER: dns.address,
    MAILYARD_DNS_TIMEOUT_MS: '1000',
    MAILYARD_MAILBOX_KDF_COST: '1024',
    MAILYARD_SMTP_MAX_CONNECTIONS_PER_IP: '1000',
  };
}

async function provision(): Promise<void> {
  const config = loadConfig({ env: childEnv() });
  const runtime = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: runtime.masterKey, scryptCost: KDF });
  const mailstore = new Mailstore({ dataDir: dir.path, kdf: KDF });
  try {
    const account = await control.createAccount({ email: 'owner@kill.test', password: 'owner password 4711' });
    const domain = await control.createDomain({
      accountId: account.id,
      name: 'kill.test',
      verificationToken: 'token',
      dkim: { selector: 'mail', publicKey: 'AAAA', privateKeyPem: runtime.tls.key },
      verified: true,
    });
    const alias = await control.createAlias(domain.id, { name: 'alice', hasImap: true });
    await mailstore.createMailbox(MAILBOX_ID, PASSWORD);
    await control.setMailboxCredential(alias.id, MAILBOX_ID, PASSWORD);
  } finally {
    await mailstore.close();
    await control.close();
  }
}

/** Starts the MX and resolves with its port, from its "mx listening" log line. */
async function startMx(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [main, 'mx'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mx not listening in ${START_MS} ms: ${stderr}`)), START_MS);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      noteChildLogLine(text);
      const port = /"msg":"mx listening"/.test(text) ? (JSON.parse(text) as { port?: number }).port : undefined;
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mx exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  return { child, port };
}

/** One SMTP transaction; resolves true only when the final 250 after DATA arrived. */
async function send(port: number, token: string): Promise<boolean> {
  let connection: WireConnection;
  try {
    connection = await WireConnection.open(port);
  } catch {
    return false;
  }
  try {
    if (!(await connection.waitFor(/^220 /m, 5_000))) return false;
    const steps: Array<[string, RegExp]> = [
      ['EHLO sender.example.org\r\n', /^250 /m],
      ['MAIL FROM:<bob@example.org>\r\n', /^250 /m],
      [`RCPT TO:<${USER}>\r\n`, /^250 /m],
      ['DATA\r\n', /^354 /m],
      [`From: bob@example.org\r\nTo: ${USER}\r\nSubject: ${token}\r\n\r\nbody of ${token}\r\n.\r\n`, /^250 /m],
    ];
    for (const [line, reply] of steps) {
      const from = connection.received;
      connection.socket.write(line);
      if (!(await connection.waitFor(reply, 10_000, from))) return false;
    }
    return true;
  } finally {
    connection.destroy();
  }
}

beforeAll(async () => {
  if (!built) return;
  dir = await tempDir('mailyard-sigkill-');
  dns = await startDnsServer();
  await provision();
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await dns?.close();
  await dir?.cleanup();
});

test.runIf(built)(
  `${KILLS} SIGKILLs of the MX during delivery lose no acknowledged message`,
  { timeout: 120_000 },
  async () => {
    const prng = createPrng(SEED);
    const acknowledged: string[] = [];
    let sent = 0;
    for (let round = 0; round <= KILLS; round++) {
      const { child, port } = await startMx();
      const killed = round === KILLS ? undefined : new Promise((resolve) => child.once('exit', resolve));
      let running = true;
      const sender = async (id: number) => {
        for (let n = 0; running; n++) {
          const token = `token-r${round}-s${id}-n${n}`;
          sent++;
          if (await send(port, token)) acknowledged.push(token);
          else if (!running) return;
        }
      };
      const senders = Array.from({ length: SENDERS }, (_, id) => sender(id));
      await new Promise((resolve) => setTimeout(resolve, prng.between(300, 1_500)));
      if (killed) {
        child.kill('SIGKILL');
        await killed;
      }
      running = false;
      await Promise.all(senders);
      if (!killed) child.kill('SIGTERM');
    }

    const mailstore = new Mailstore({ dataDir: dir.path, kdf: KDF });
    try {
      const session = await mailstore.open(MAILBOX_ID, PASSWORD);
      const stored = new Set(
        session
          .listMessages('INBOX')
          .map((m) => /Subject: (\S+)/.exec(session.getRaw('INBOX', m.uid)?.toString() ?? '')?.[1]),
      );
      session.close();
      const lost = acknowledged.filter((token) => !stored.has(token));
      console.log(
        `sigkill delivery: ${KILLS} kills, ${sent} sent, ${acknowledged.length} acknowledged, ${stored.size} stored, ${lost.length} lost`,
      );
      expect(acknowledged.length).toBeGreaterThan(KILLS);
      expect(lost).toEqual([]);
    } finally {
      await mailstore.close();
    }
  },
);
