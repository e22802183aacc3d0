/**
 * The dashboard's protocol metrics move when their events happen: each request counted as a command by method
 * and route pattern with its result and duration (`(unmatched)` for unknown paths), and open connections.
 */
import { connect } from 'node:net';
import { readMetric } from '@mailyard/monitor';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** No keep-alive: a pooled connection closing later would move the connection count under the next test. */
const CLOSE = { connection: 'close' };
const series = (command: string, result: string) => ({ protocol: 'web', command, result });

test('requests by route pattern and result, with their duration', async () => {
  const login = series('GET /login', 'ok');
  const unmatched = series('GET (unmatched)', 'no');
  const before = {
    ok: await readMetric('mailyard_commands_total', login),
    seconds: await readMetric('mailyard_command_seconds', login),
    unmatched: await readMetric('mailyard_commands_total', unmatched),
  };
  expect((await fetch(`${h.base}/login`, { redirect: 'manual', headers: CLOSE })).status).toBe(200);
  expect((await fetch(`${h.base}/no-such-page-${Date.now()}`, { redirect: 'manual', headers: CLOSE })).status).toBe(
    404,
  );
  expect(await readMetric('mailyard_commands_total', login)).toBe(before.ok + 1);
  expect(await readMetric('mailyard_command_seconds', login)).toBe(before.seconds + 1);
  expect(await readMetric('mailyard_commands_total', unmatched)).toBe(before.unmatched + 1);
});

test('open connections', async () => {
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'web' })) === 0);
  const socket = connect(Number(new URL(h.base).port), '127.0.0.1');
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'web' })) === 1);
  socket.destroy();
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'web' })) === 0);
});
