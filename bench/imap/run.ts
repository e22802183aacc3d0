/**
 * IMAP benchmark. Build first (npx turbo run build --filter=@mailyard/imap...), then from bench/:
 * node --conditions=source --import tsx imap/run.ts. The server runs as a separate process (server.mjs, over
 * dist/). Prints:
 * - LOGIN + SELECT + LOGOUT per second with 4 clients (production password costs);
 * - SELECT and FETCH 1:* (UID FLAGS) on a 100,000-message folder (filled through the store, not IMAP:
 *   1,000 distinct messages appended, then copied; BENCH_BIG sets the size);
 * - FETCH BODY.PEEK[] of 1,000 messages (MB/s);
 * - UID SEARCH TEXT on a 50,000-message folder;
 * - delivery (mailstore.deliver in this process) to `* n EXISTS` on an IDLE connection of the server process,
 *   p50 / p99 over 100 deliveries;
 * - RSS of the server process idle, and with 1,000 IDLE connections (10 per mailbox over 100 mailboxes), with
 *   where it goes (V8 heap used/total, external, ArrayBuffers); the rest is native: SQLite handles of the
 *   unlocked mailboxes and what glibc malloc keeps after the scrypt KDF of each first login (16 MB per call,
 *   kept per malloc arena unless MALLOC_MMAP_THRESHOLD_ is fixed; the server inherits this process's environment).
 * The server gets the imap process's node_args from ecosystem.config.cjs (BENCH_NODE_ARGS replaces them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { untilEventLoopQuiet } from '../quiet.js';
import { Wire as TableWire } from '../table/wire.js';

const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const SEARCHED = Math.min(BIG, Number(process.env.BENCH_SEARCH ?? 50_000));
const DISTINCT = 1000;
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? 1000);
const IDLE_MAILBOXES = 100;
const PASSWORD = 'bench password 1';
const WORDS = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919).toString(36)}x`);

function message(i: number): Buffer {
  const words = Array.from({ length: 600 }, (_, n) => WORDS[(i * 31 + n * 17) % WORDS.length]).join(' ');
  return Buffer.from(
    `From: Sender ${i} <s${i}@example.org>\r\nTo: r@example.net\r\nSubject: Message ${i}\r\n` +
      `Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <b${i}.${randomBytes(3).toString('hex')}@example.org>\r\n\r\n` +
      `${words.replace(/(.{70}) /g, '$1\r\n')}${i === 7 ? ' needleword' : ''}\r\n`,
  );
}

/**
 * A minimal IMAP line client over a raw socket: the table benchmark's, which searches a long reply once as it
 * arrives (searching a growing string made a 4 MB FETCH cost this client more than the server).
 */
class Wire extends TableWire {
  command(tag: string, text: string): Promise<string> {
    return this.imap(tag, text);
  }
}

async function login(port: number, address: string): Promise<Wire> {
  const wire = new Wire(port);
  await wire.until(/^\* OK/);
  const reply = await wire.command('L', `LOGIN ${address} "${PASSWORD}"`);
  if (!/L OK/.test(reply)) throw new Error(`login failed: ${reply}`);
  return wire;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function setup(dataDir: string) {
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const { masterKey } = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({ dataDir, masterKey });
  const store = new Mailstore({ dataDir });
  const account = await control.createAccount({ email: 'bench@example.org', password: PASSWORD });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'example.org',
    verificationToken: 't',
    dkim: { selector: 's', publicKey: 'AAAA', privateKeyPem: 'unused' },
    verified: true,
  });
  const addUser = async (name: string) => {
    const alias = await control.createAlias(domain.id, { name, hasImap: true });
    const mailboxId = randomBytes(8).toString('hex');
    await store.createMailbox(mailboxId, PASSWORD);
    await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
    return { address: `${name}@example.org`, mailboxId };
  };
  return { control, store, addUser };
}

async function fillBig(store: Mailstore, mailboxId: string): Promise<void> {
  const session = await store.open(mailboxId, PASSWORD);
  for (const name of ['Big', 'Search']) session.createFolder(name);
  for (let i = 0; i < DISTINCT; i++) await session.append('INBOX', message(i));
  const uids = session.listMessages('INBOX').map((m) => m.uid);
  for (let n = 0; n < BIG; n += DISTINCT) session.copy('INBOX', uids.slice(0, Math.min(DISTINCT, BIG - n)), 'Big');
  for (let n = 0; n < SEARCHED; n += DISTINCT) session.copy('INBOX', uids, 'Search');
  // The store indexes the new mail's text in the background while the mailbox is open: let it finish here, or the
  // server process would do it in turns while the SELECT, FETCH and SEARCH below are timed.
  await untilEventLoopQuiet();
  session.close();
}

interface EcosystemApp {
  name: string;
  node_args?: string[];
  env?: Record<string, string>;
}

/** The imap process's entry in the root ecosystem.config.cjs, so the figures are those of production. */
function imapEcosystemEntry(): EcosystemApp | undefined {
  const ecosystem = createRequire(import.meta.url)(join(import.meta.dirname, '..', '..', 'ecosystem.config.cjs')) as {
    apps: EcosystemApp[];
  };
  return ecosystem.apps.find((app) => app.name === 'imap');
}

/** The Node flags PM2 gives the imap process; BENCH_NODE_ARGS (space-separated) replaces them to try others. */
function imapNodeArgs(): string[] {
  if (process.env.BENCH_NODE_ARGS !== undefined) return process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean);
  return imapEcosystemEntry()?.node_args ?? [];
}

/** The allocator settings PM2 gives the imap process (MALLOC_* variables of its env). */
function imapMallocEnv(): Record<string, string> {
  const env = imapEcosystemEntry()?.env ?? {};
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('MALLOC_')));
}

function startServer(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  // Plain LOGIN on loopback, as the Dovecot figures without STARTTLS were taken.
  const overrides = { allowInsecureAuth: true, imap: { maxConnectionsPerIp: 5000, maxConnectionsPerUser: 100 } };
  const child = spawn(
    process.execPath,
    [...imapNodeArgs(), join(import.meta.dirname, 'server.mjs'), JSON.stringify({ dataDir, overrides })],
    {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, ...imapMallocEnv() },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    child.send('memory');
  });
}

/** RSS, then where it goes: the V8 heap (used of total), external memory and its ArrayBuffers. */
function describeMemory(m: NodeJS.MemoryUsage): string {
  const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
  return `${mb(m.rss)} MB (heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)})`;
}

async function loginRate(port: number, address: string, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const wire = await login(port, address);
      await wire.command('S', 'SELECT INBOX');
      await wire.command('O', 'LOGOUT');
      wire.close();
      count++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return count / seconds;
}

async function deliveryLatency(port: number, store: Mailstore, user: { address: string; mailboxId: string }) {
  const wire = await login(port, user.address);
  const select = await wire.command('S', 'SELECT INBOX');
  let exists = Number(/\* (\d+) EXISTS/.exec(select)?.[1]);
  wire.socket.write('I IDLE\r\n');
  await wire.until(/^\+ /m);
  const latencies: number[] = [];
  for (let i = 0; i < 100; i++) {
    const start = process.hrtime.bigint();
    await store.deliver(user.mailboxId, message(100_000 + i));
    exists++;
    await wire.until(new RegExp(`\\* ${exists} EXISTS`));
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  wire.socket.write('DONE\r\n');
  await wire.until(/I OK/);
  wire.close();
  return latencies;
}

async function idleConnections(port: number, users: Array<{ address: string }>, count: number): Promise<Wire[]> {
  const wires: Wire[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, n) => {
        const wire = await login(port, users[(i + n) % users.length]?.address ?? '');
        await wire.command('S', 'SELECT INBOX');
        wire.socket.write('I IDLE\r\n');
        await wire.until(/^\+ /m);
        return wire;
      }),
    );
    wires.push(...batch);
  }
  return wires;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailyard-bench-imap-'));
  const { control, store, addUser } = await setup(dataDir);
  const bench = await addUser('bench');
  const [, fillMs] = await timed(() => fillBig(store, bench.mailboxId));
  const idleUsers = [];
  for (let i = 0; i < IDLE_MAILBOXES; i++) idleUsers.push(await addUser(`idle${i}`));
  const { child, port } = await startServer(dataDir);
  const out: Record<string, string> = {
    'fill (store, not IMAP)': `${BIG} messages in ${(fillMs / 1000).toFixed(1)} s`,
  };
  try {
    const idle = await memoryOf(child);
    const before = idle.rss;
    out['RSS idle server'] = describeMemory(idle);
    // Measured first, on a fresh process, so the figure is what IDLE connections cost, not what earlier
    // large FETCHes left in the heap.
    const wires = await idleConnections(port, idleUsers, IDLE_CONNECTIONS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await memoryOf(child);
    const after = busy.rss;
    out[`RSS with ${IDLE_CONNECTIONS} IDLE connections (${IDLE_MAILBOXES} mailboxes)`] =
      `${(after / 1048576).toFixed(1)} MB (${((after - before) / 1024 / IDLE_CONNECTIONS).toFixed(0)} KB per connection)`;
    out['  breakdown'] = describeMemory(busy);
    for (const w of wires) w.close();
    out['LOGIN+SELECT+LOGOUT, 4 clients'] = `${(await loginRate(port, idleUsers[0]?.address ?? '', 5)).toFixed(1)} /s`;

    const wire = await login(port, bench.address);
    const [, selectMs] = await timed(() => wire.command('A', 'SELECT Big'));
    out[`SELECT ${BIG}-message folder`] = `${selectMs.toFixed(0)} ms`;
    const [, flagsMs] = await timed(() => wire.command('B', 'FETCH 1:* (UID FLAGS)'));
    out[`FETCH 1:* (UID FLAGS), ${BIG} messages`] = `${flagsMs.toFixed(0)} ms`;
    const [bodies, bodyMs] = await timed(() => wire.command('C', 'FETCH 1:1000 (BODY.PEEK[])'));
    out['FETCH 1:1000 BODY.PEEK[]'] =
      `${bodyMs.toFixed(0)} ms, ${(bodies.length / 1048576 / (bodyMs / 1000)).toFixed(1)} MB/s`;
    await wire.command('D', 'SELECT Search');
    const [hits, searchMs] = await timed(() => wire.command('E', 'UID SEARCH TEXT needleword'));
    const found = (/\* SEARCH([\d ]*)/.exec(hits)?.[1] ?? '').trim().split(' ').filter(Boolean).length;
    out[`UID SEARCH TEXT, ${SEARCHED} messages`] = `${searchMs.toFixed(0)} ms (${found} hits)`;
    wire.close();

    const latencies = await deliveryLatency(port, store, idleUsers[1] ?? bench);
    out['delivery -> IDLE EXISTS (other process)'] =
      `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await store.close();
    await control.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  for (const [name, value] of Object.entries(out)) console.log(`${name.padEnd(52)} ${value}`);
}

await main();
