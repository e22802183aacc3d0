/**
 * The encrypted copy (VACUUM INTO) runs in a worker thread: while a large mailbox is copied, an HTTP server of
 * this process on 127.0.0.1 keeps answering requests (counted, one after the other, until the copy resolves; on
 * the session's own connection the copy held the event loop and none was answered while it ran). What the copy
 * holds is checked by the transfer round trip and the dashboard's backup tests, which open it.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore } from '../test/fixtures.js';

const MESSAGES = 3000;

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
});
afterEach(async () => {
  await t.cleanup();
});

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.once('error', reject);
    req.end();
  });
}

test('requests are answered while the encrypted copy of a large mailbox is written', async () => {
  await t.store.createMailbox('big', 'pw');
  const session = await t.store.open('big', 'pw');
  const padding = 'x'.repeat(76);
  const body = Array.from({ length: 50 }, () => padding).join('\r\n');
  for (let start = 0; start < MESSAGES; start += 500) {
    await session.appendMany(
      'INBOX',
      Array.from({ length: 500 }, (_, i) => ({
        raw: Buffer.from(`Subject: m ${start + i}\r\nMessage-ID: <${start + i}@copy.test>\r\n\r\n${body}\r\n`),
        opts: {},
      })),
    );
  }
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const target = join(t.dir, 'copy.db');
    let copied = false;
    const copy = session.encryptedCopy(target, join(t.dir, 'copy.keys.json')).then(() => {
      copied = true;
    });
    let answered = 0;
    while (!copied) {
      expect(await get(port)).toBe('ok');
      answered += 1;
    }
    await copy;
    // One after the other, each a full round trip through this event loop while the copy was still running.
    expect(answered).toBeGreaterThanOrEqual(10);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    session.close();
  }
}, 60_000);
