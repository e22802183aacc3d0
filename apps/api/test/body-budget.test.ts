/**
 * API request bodies and the process's in-flight byte budget (@mailyard/limits ByteBudget): a body reserves its
 * bytes before they are read (the declared length, or chunk by chunk) and holds them until its response has gone.
 * With the budget taken the request gets 503 with Retry-After and a message (temporary: the same request will
 * succeed later); a body over api.bodyLimitBytes stays 413. Real HTTP over 127.0.0.1, a 10,000-byte budget.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { ByteBudget } from '@mailyard/limits';
import { Mailstore } from '@mailyard/mailstore';
import { captureLog, type TempDir, tempDir, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ApiServer, createApiServer } from '../src/index.js';

const BUDGET = 10_000;
let dir: TempDir;
let control: SqliteControlStore;
let mailstore: Mailstore;
let api: ApiServer;
let port: number;

beforeAll(async () => {
  dir = await tempDir('mailyard-api-budget-');
  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir.path, hostname: 'mx.mailyard.test', api: { signupOpen: true, bodyLimitBytes: 8000 } },
  });
  control = new SqliteControlStore({
    dataDir: dir.path,
    masterKey: randomBytes(32),
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  mailstore = new Mailstore({ dataDir: dir.path, kdf: { N: 1024 } });
  const { logger } = captureLog({ level: 'warn' });
  api = createApiServer({ config, logger, control, mailstore, budget: new ByteBudget(BUDGET) });
  port = await api.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await api?.close();
  await mailstore?.close();
  await control?.close();
  await dir?.cleanup();
});

/** A sign-up body of exactly `size` bytes (padded in a field the schema ignores or refuses: either is fine). */
function signUp(size: number, email: string): string {
  const head = `{"email":"${email}","password":"long enough pw","pad":"`;
  return `${head}${'x'.repeat(size - head.length - 2)}"}`;
}

function post(body: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/account`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

/** Starts a POST over a raw socket, sends all but the last `held` bytes of its body and leaves it there. */
async function holdUpload(body: string, held: number): Promise<{ socket: Socket; finish(): Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let reply = '';
  socket.on('data', (chunk: Buffer) => {
    reply += chunk.toString('latin1');
  });
  socket.write(
    `POST /v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, body.length - held)}`,
  );
  return {
    socket,
    finish: async () => {
      socket.end(body.slice(body.length - held));
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      return reply;
    },
  };
}

/** Waits until a request that needs `bytes` is refused, i.e. the held upload has reserved its bytes. */
async function untilReserved(bytes: number): Promise<Response> {
  return waitFor(
    async () => {
      const res = await post(signUp(bytes, 'probe@mailyard.test'));
      return res.status === 503 ? res : null;
    },
    10_000,
    20,
  );
}

test('with the budget held by an upload in progress: 503, Retry-After and a message; after it, accepted', async () => {
  const holder = await holdUpload(signUp(6000, 'holder@mailyard.test'), 100);
  const refused = await untilReserved(6000);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await refused.json()).toMatchObject({ message: expect.stringMatching(/busy/i) });
  const small = await post(signUp(3000, 'small@mailyard.test'));
  expect(small.status).not.toBe(503);
  expect(await holder.finish()).toMatch(/^HTTP\/1\.1 (201|400) /);
  const after = await post(signUp(6000, 'after@mailyard.test'));
  expect(after.status).not.toBe(503);
});

test('a chunked body grows its reservation and is refused once the budget is gone', async () => {
  const holder = await holdUpload(signUp(6000, 'holder2@mailyard.test'), 100);
  await untilReserved(6000);
  const chunk = new TextEncoder().encode(`{"email":"chunked@mailyard.test","pad":"${'y'.repeat(1000)}`);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 6) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const res = await fetch(`http://127.0.0.1:${port}/v1/account`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  expect(res.status).toBe(503);
  await holder.finish();
});

test('a body over api.bodyLimitBytes is 413, not 503', async () => {
  const res = await post(signUp(9000, 'big@mailyard.test'));
  expect(res.status).toBe(413);
});
