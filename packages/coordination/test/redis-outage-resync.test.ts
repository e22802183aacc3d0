/**
 * Redis killed under a process that holds many subscriptions (an IMAP process with many IDLE sessions): the file
 * watch starts for all of them at once, and each mailbox is told to re-read ('spool' and 'folder' for folder '')
 * exactly once, but COORDINATION_LIMITS.resyncBatch mailboxes at a time, never all in the same moment.
 */
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ChangeEvent,
  COORDINATION_LIMITS,
  createRedisCoordination,
  type RedisCoordination,
} from '../src/index.js';

const available = redisServerAvailable();
/** Enough mailboxes for several batches. */
const MAILBOXES = COORDINATION_LIMITS.resyncBatch * 4 + 7;
const mailboxId = (n: number) => n.toString(16).padStart(32, '0');

describe.skipIf(!available)('resyncs after Redis goes away are paced', () => {
  let server: RedisServer;
  let dir: TempDir;
  let listener: RedisCoordination;
  const log = captureLog();

  beforeAll(async () => {
    server = await startRedisServer();
    dir = await tempDir('mailyard-coordination-');
    const options = { url: server.url, dataDir: dir.path, logger: log.logger, notifyPollMs: 50, commandTimeoutMs: 500 };
    listener = await createRedisCoordination(options);
  });
  afterAll(async () => {
    await listener?.close();
    await server?.stop();
    await dir?.cleanup();
  });

  test('each subscribed mailbox re-reads once, at most resyncBatch of them in one turn of the event loop', async () => {
    /** Mailboxes told to re-read, grouped by the turn of the event loop that told them. */
    const turns: Array<Set<string>> = [];
    let turn: Set<string> | undefined;
    const resyncs = new Map<string, ChangeEvent[]>();
    const others: ChangeEvent[] = [];
    const offs = Array.from({ length: MAILBOXES }, (_, n) =>
      listener.events.subscribe(mailboxId(n), (event) => {
        if (event.folder !== '') {
          others.push(event);
          return;
        }
        resyncs.set(event.mailboxId, [...(resyncs.get(event.mailboxId) ?? []), event]);
        if (!turn) {
          const current = new Set<string>();
          turn = current;
          turns.push(current);
          setImmediate(() => {
            turn = undefined;
          });
        }
        turn.add(event.mailboxId);
      }),
    );
    expect(listener.events.watchingFiles).toBe(false);

    await server.kill();
    await waitFor(() => listener.events.watchingFiles, 10_000);
    await waitFor(() => resyncs.size === MAILBOXES, 20_000);
    for (const events of resyncs.values()) {
      expect(events.map((e) => e.kind)).toEqual(['spool', 'folder']);
    }
    const sizes = turns.map((told) => told.size);
    console.log(`${MAILBOXES} mailboxes re-read in ${turns.length} turns: ${sizes.join(' ')}`);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(COORDINATION_LIMITS.resyncBatch);
    expect(turns.length).toBeGreaterThanOrEqual(Math.ceil(MAILBOXES / COORDINATION_LIMITS.resyncBatch));
    expect(others).toEqual([]);
    for (const off of offs) off();
  });
});
