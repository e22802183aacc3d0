/**
 * openStores (the CLI's stores) with Redis configured: the mail store's change events go through Redis, as the
 * long-running processes' do (they watch the event files only while Redis is unusable). The subscriber here has a
 * data directory of its own, so only Redis can carry the event; the CLI's coordination connects lazily and its
 * last event still leaves before close() returns.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@mailyard/config';
import { createRedisCoordination } from '@mailyard/coordination';
import type { ChangeEvent } from '@mailyard/mailstore';
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStores } from './open-stores.js';

const available = redisServerAvailable();

describe.skipIf(!available)('openStores with Redis configured', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a delivery made through the CLI's mail store is heard through Redis", async () => {
    await using cliDir = await tempDir('mailyard-open-stores-');
    await using otherDir = await tempDir('mailyard-open-stores-other-');
    const log = captureLog();
    const listener = await createRedisCoordination({ url: server.url, dataDir: otherDir.path, logger: log.logger });
    const mailboxId = randomBytes(16).toString('hex');
    const heard: ChangeEvent[] = [];
    const off = listener.events.subscribe(mailboxId, (event) => heard.push(event));
    const config = loadConfig({
      env: {},
      overrides: { dataDir: cliDir.path, redisUrl: server.url, mailbox: { kdfCost: 1024 } },
    });
    const stores = await openStores(config);
    try {
      await stores.mailstore.createMailbox(mailboxId, 'a password');
      await stores.mailstore.deliver(mailboxId, Buffer.from('Subject: from the CLI\r\n\r\nhello\r\n'));
    } finally {
      await stores.close();
    }
    await waitFor(() => heard.some((event) => event.kind === 'spool'));
    expect(heard[0]).toMatchObject({ mailboxId, kind: 'spool' });
    off();
    await listener.close();
    expect(log.atLeast(40)).toEqual([]);
  });
});
