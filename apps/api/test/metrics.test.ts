/**
 * The API's protocol metrics move when their events happen: each request counted as a command by method and
 * route pattern with its result and duration (`(unmatched)` for paths no route knows), and open connections.
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
const series = (command: string, result: string) => ({ protocol: 'api', command, result });

test('requests by route pattern and result, with their duration', async () => {
  const openapi = series('GET /v1/openapi.json', 'ok');
  const unmatched = series('GET (unmatched)', 'no');
  const unauthenticated = series('GET /v1/domains', 'no');
  const before = {
    ok: await readMetric('mailyard_commands_total', openapi),
    seconds: await readMetric('mailyard_command_seconds', openapi),
    unmatched: await readMetric('mailyard_commands_total', unmatched),
    refused: await readMetric('mailyard_commands_total', unauthenticated),
  };
  expect((await fetch(`${h.base}/v1/openapi.json`, { headers: CLOSE })).status).toBe(200);
  expect((await fetch(`${h.base}/v1/no/such/thing/${Date.now()}`, { headers: CLOSE })).status).toBe(404);
  expect((await fetch(`${h.base}/v1/domains`, { headers: CLOSE })).status).toBe(401);
  expect(await readMetric('mailyard_commands_total', openapi)).toBe(before.ok + 1);
  expect(await readMetric('mailyard_command_seconds', openapi)).toBe(before.seconds + 1);
  expect(await readMetric('mailyard_commands_total', unmatched)).toBe(before.unmatched + 1);
  expect(await readMetric('mailyard_commands_total', unauthenticated)).toBe(before.refused + 1);
});

test('open connections', async () => {
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'api' })) === 0);
  const socket = connect(Number(new URL(h.base).port), '127.0.0.1');
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'api' })) === 1);
  socket.destroy();
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'api' })) === 0);
});
