/**
 * The IMAP stress run: `clients` sessions on one mailbox doing random SELECT, FETCH, STORE, EXPUNGE, APPEND,
 * MOVE and NOOP for `durationMs`, each checking its own view (imap-stress-client.ts). At the end every session
 * catches up (NOOP, FETCH 1:*) and must agree with a fresh session on every UID and flag.
 * Used by apps/imap/test/stress.test.ts (bounded time in CI) and bench/imap/stress.ts (longer); it lives in testkit
 * so that both reach it through a package export.
 */
import { StressClient } from './imap-stress-client.js';

export interface StressOptions {
  port: number;
  address: string;
  password: string;
  clients: number;
  durationMs: number;
  seed: number;
}

export interface StressResult {
  operations: number;
  errors: string[];
  finalMessages: number;
}

const KEYWORDS = ['$k1', '$k2', '$k3', '$Label4', '$Label5', '\\Seen', '\\Flagged', '\\Answered', '\\Deleted'];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function message(n: number): Buffer {
  return Buffer.from(
    `From: s@example.test\r\nSubject: stress ${n}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody ${n}\r\n`,
  );
}

async function step(client: StressClient, rand: () => number, counter: { appended: number }): Promise<void> {
  const pick = rand();
  const count = client.uids.length;
  const seq = () => 1 + Math.floor(rand() * count);
  if (pick < 0.05) return client.select('INBOX');
  if (pick < 0.2) {
    await client.ok('APPEND INBOX', message(counter.appended++));
    return;
  }
  if (count === 0 || pick < 0.3) {
    await client.ok('NOOP');
    return;
  }
  if (pick < 0.45) {
    const a = seq();
    const b = seq();
    await client.ok(`FETCH ${Math.min(a, b)}:${Math.max(a, b)} (UID FLAGS MODSEQ)`);
    return;
  }
  if (pick < 0.7) {
    const flag = KEYWORDS[Math.floor(rand() * KEYWORDS.length)];
    await client.ok(`STORE ${seq()} ${rand() < 0.6 ? '+' : '-'}FLAGS (${flag})`);
    return;
  }
  if (pick < 0.8) {
    await client.ok('EXPUNGE');
    return;
  }
  if (pick < 0.88) {
    await client.ok(`MOVE ${seq()} ${rand() < 0.5 ? 'INBOX' : 'Other'}`);
    return;
  }
  await client.ok(`SEARCH ${rand() < 0.5 ? 'UNSEEN' : 'KEYWORD $k1'}`);
}

async function worker(client: StressClient, until: number, seed: number, counter: { appended: number }) {
  const rand = random(seed);
  await client.select('INBOX');
  while (Date.now() < until) await step(client, rand, counter);
}

export async function runStress(options: StressOptions): Promise<StressResult> {
  const setup = await StressClient.open('setup', options.port, options.address, options.password);
  await setup.command('CREATE Other');
  const counter = { appended: 0 };
  for (let i = 0; i < 20; i++) await setup.ok('APPEND INBOX', message(counter.appended++));
  const clients = await Promise.all(
    Array.from({ length: options.clients }, (_, i) =>
      StressClient.open(`c${i}`, options.port, options.address, options.password),
    ),
  );
  const until = Date.now() + options.durationMs;
  await Promise.all(clients.map((client, i) => worker(client, until, options.seed + i, counter)));
  const errors = clients.flatMap((c) => c.errors);
  const truth = await StressClient.open('truth', options.port, options.address, options.password);
  await truth.select('INBOX');
  for (const client of clients) {
    await client.ok('NOOP');
    if (client.uids.length > 0) await client.ok('FETCH 1:* (UID FLAGS)');
    errors.push(...client.errors.filter((e) => !errors.includes(e)), ...compare(client, truth));
  }
  const operations = clients.reduce((sum, c) => sum + c.operations, 0);
  for (const client of [setup, truth, ...clients]) client.close();
  return { operations, errors, finalMessages: truth.uids.length };
}

/** After catching up, a session must see exactly the UIDs and flags a fresh session sees. */
function compare(client: StressClient, truth: StressClient): string[] {
  const problems: string[] = [];
  if (client.uids.join(',') !== truth.uids.join(',')) {
    problems.push(`${client.name}: UIDs ${client.uids.length} differ from a fresh session's ${truth.uids.length}`);
  }
  for (const uid of truth.uids) {
    if (client.flags.get(uid) !== truth.flags.get(uid)) {
      problems.push(`${client.name}: flags of UID ${uid} "${client.flags.get(uid)}" vs "${truth.flags.get(uid)}"`);
      break;
    }
  }
  return problems;
}
