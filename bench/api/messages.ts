/**
 * API mail benchmark: GET /v1/messages (pages of 50, spread over the whole folder) on a 20,000-message INBOX, and
 * GET /v1/messages/:id of single messages (JSON), over real HTTP on 127.0.0.1 against a real encrypted mailbox,
 * with the mailbox's own credentials. The mail store and the control store run their configured KDF (scrypt
 * N=16384) once, for the first request; the run counts both KDFs during the load and prints the counts, which
 * must be 0 (repeat requests reuse the verified, unlocked mailbox). The load generator (messages-worker.mjs)
 * runs in a worker thread. Prints requests/s and latency percentiles for each route.
 *
 *   node --conditions=source --import tsx bench/api/messages.ts [--messages 20000] [--seconds 10] [--concurrency 16]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { SqliteControlStore } from '@mailyard/control';
import { kdfRunCount, type Mailstore } from '@mailyard/mailstore';
import { measureLoad, startBenchApi } from './fixture.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
});
const MESSAGES = Number(values.messages);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const LIMIT = 50;
const KDF = { N: 16384, r: 8, p: 1 };
const ADDRESS = 'box@bench.example';
const PASSWORD = 'bench mailbox password';

/** A 4 KB message like the other benchmarks' (text body, distinct subject and Message-ID). */
function message(i: number): Buffer {
  const body = `Line ${i} of the benchmark body, some words to index. `.repeat(70);
  return Buffer.from(
    [
      `From: Sender ${i % 50} <sender${i % 50}@elsewhere.example>`,
      `To: ${ADDRESS}`,
      `Subject: Benchmark message ${i}`,
      `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}`,
      `Message-ID: <bench-${i}@elsewhere.example>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

async function seed(control: SqliteControlStore, mailstore: Mailstore): Promise<void> {
  const account = await control.createAccount({ email: 'bench@example.org', password: 'bench password' });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'bench.example',
    verificationToken: 'bench',
    dkim: { selector: 'bench', publicKey: 'AAAA', privateKeyPem: 'unused' },
    verified: true,
  });
  const alias = await control.createAlias(domain.id, { name: 'box', hasImap: true });
  const mailboxId = randomBytes(8).toString('hex');
  await mailstore.createMailbox(mailboxId, PASSWORD);
  await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
  const started = performance.now();
  const session = await mailstore.open(mailboxId, PASSWORD);
  try {
    for (let i = 0; i < MESSAGES; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(MESSAGES, i + 500); j++) batch.push({ raw: message(j) });
      await session.appendMany('INBOX', batch);
    }
  } finally {
    session.close();
  }
  console.log(`seeded ${MESSAGES} messages in ${Math.round(performance.now() - started)} ms`);
}

/**
 * Waits until this process's event loop is nearly idle over a whole second: the full-text index of the seeded
 * mail is built in the background (turn by turn) once the mailbox is unlocked, and would otherwise be measured.
 */
async function untilQuiet(): Promise<void> {
  const started = performance.now();
  for (;;) {
    const before = performance.eventLoopUtilization();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (performance.eventLoopUtilization(before).utilization < 0.05) break;
  }
  console.log(`background indexing done after ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The load of `job` (messages-worker.mjs) for SECONDS with CONCURRENCY requests in flight. */
function measure(title: string, job: Record<string, unknown>): Promise<void> {
  const workerData = { ...job, seconds: SECONDS, concurrency: CONCURRENCY };
  const worker = new URL('./messages-worker.mjs', import.meta.url);
  return measureLoad(`${title} (${CONCURRENCY} concurrent, ${SECONDS} s)`, worker, workerData);
}

async function main(): Promise<void> {
  const bench = await startBenchApi('api-mail', { kdf: { N: KDF.N } });
  const { api, control, mailstore } = bench;
  try {
    await seed(control, mailstore);
    const port = await api.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const authorization = `Basic ${Buffer.from(`${ADDRESS}:${PASSWORD}`).toString('base64')}`;

    // The first request verifies the password and unlocks the mailbox (both KDFs); the load then reuses them.
    let started = performance.now();
    const first = await fetch(`${url}/v1/messages?limit=${LIMIT}`, { headers: { authorization } });
    console.log(
      `first request (password check + unlock): ${first.status}, ${(performance.now() - started).toFixed(1)} ms`,
    );
    started = performance.now();
    const second = await fetch(`${url}/v1/messages?limit=${LIMIT}`, { headers: { authorization } });
    console.log(`second request: ${second.status}, ${(performance.now() - started).toFixed(1)} ms`);
    await untilQuiet();
    const ids: string[] = [];
    for (let page = 1; ids.length < 1000; page += 7) {
      const res = await fetch(`${url}/v1/messages?limit=${LIMIT}&page=${page}`, { headers: { authorization } });
      const items = (await res.json()) as Array<{ id: string }>;
      if (items.length === 0) break;
      ids.push(...items.map((m) => m.id));
    }

    const verify = control.verifyMailboxPassword.bind(control);
    let passwordChecks = 0;
    control.verifyMailboxPassword = (address, password) => {
      passwordChecks++;
      return verify(address, password);
    };
    const unlocksBefore = kdfRunCount(KDF);
    await measure(`GET /v1/messages (${MESSAGES} messages in INBOX, ${LIMIT} per page, pages over the whole folder)`, {
      url,
      authorization,
      mode: 'list',
      pages: Math.ceil(MESSAGES / LIMIT),
      limit: LIMIT,
    });
    await measure('GET /v1/messages/:id (JSON: headers, text, attachments)', { url, authorization, mode: 'get', ids });
    console.log(
      `KDF runs during the load: mailbox unlock ${kdfRunCount(KDF) - unlocksBefore}, password check ${passwordChecks}`,
    );
  } finally {
    await bench.close();
  }
}

await main();
