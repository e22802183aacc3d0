/**
 * The data directory of the table benchmark, made before the server starts: the master key and certificate
 * (ensureRuntimeFiles, as a first start makes them), one verified domain, and the mailboxes of each workload:
 * `big` with its INBOX filled through the store's ingest (appendMany, not SMTP or IMAP), `sink` for SMTP
 * deliveries, `pop` with 100 messages, and `idle<n>` for the IDLE connections. Messages are about 4 KB.
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { untilEventLoopQuiet } from '../quiet.js';

export const DOMAIN = 'bench.test';
export const PASSWORD = 'bench password 1';
const WORDS = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919).toString(36)}x`);

/** A message of about 4 KB: a header and 70-column lines of words. */
export function message(i: number, to = `sink@${DOMAIN}`): Buffer {
  const words = Array.from({ length: 560 }, (_, n) => WORDS[(i * 31 + n * 17) % WORDS.length]).join(' ');
  return Buffer.from(
    `From: Sender ${i} <s${i}@sender.test>\r\nTo: ${to}\r\nSubject: Message ${i}\r\n` +
      `Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <t${i}.${randomBytes(4).toString('hex')}@sender.test>\r\n\r\n` +
      `${words.replace(/(.{70}) /g, '$1\r\n')}\r\n`,
  );
}

export interface BenchData {
  masterKey: Buffer;
  /** The address of each workload's mailbox. */
  users: { big: string; sink: string; pop: string; idle: string[] };
  /** Seconds the 20,000-message fill took. */
  fillSeconds: number;
}

interface Sizes {
  bigMessages: number;
  popMessages: number;
  idleMailboxes: number;
}

async function fill(store: Mailstore, mailboxId: string, count: number): Promise<void> {
  const session = await store.open(mailboxId, PASSWORD);
  try {
    for (let n = 0; n < count; n += 500) {
      const batch = Array.from({ length: Math.min(500, count - n) }, (_, i) => ({ raw: message(n + i) }));
      await session.appendMany('INBOX', batch);
    }
    // The store indexes the new mail in the background of this process: let it finish first.
    await untilEventLoopQuiet();
  } finally {
    session.close();
  }
}

export async function createBenchData(dataDir: string, sizes: Sizes): Promise<BenchData> {
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const { masterKey } = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({ dataDir, masterKey });
  const store = new Mailstore({ dataDir });
  try {
    const account = await control.createAccount({ email: `owner@${DOMAIN}`, password: PASSWORD });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const domain = await control.createDomain({
      accountId: account.id,
      name: DOMAIN,
      verificationToken: 'x',
      verified: true,
      dkim: {
        selector: 'b1',
        publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    const addUser = async (name: string): Promise<{ address: string; mailboxId: string }> => {
      const alias = await control.createAlias(domain.id, { name, hasImap: true });
      const mailboxId = randomBytes(8).toString('hex');
      await store.createMailbox(mailboxId, PASSWORD);
      await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
      return { address: `${name}@${DOMAIN}`, mailboxId };
    };
    const big = await addUser('big');
    const sink = await addUser('sink');
    const pop = await addUser('pop');
    const idle: string[] = [];
    for (let i = 0; i < sizes.idleMailboxes; i++) idle.push((await addUser(`idle${i}`)).address);
    const started = performance.now();
    await fill(store, big.mailboxId, sizes.bigMessages);
    const fillSeconds = (performance.now() - started) / 1000;
    await fill(store, pop.mailboxId, sizes.popMessages);
    return { masterKey, users: { big: big.address, sink: sink.address, pop: pop.address, idle }, fillSeconds };
  } finally {
    await store.close();
    await control.close();
  }
}
