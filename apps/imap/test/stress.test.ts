/**
 * Stress (issue 13 "Show"): 10 sessions on one mailbox doing random SELECT/FETCH/STORE/EXPUNGE/APPEND/MOVE
 * for a bounded time, each checking its own view, then all compared with a fresh session. A longer run:
 * bench/imap/stress.ts.
 */

import { runStress } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('stress');
});
afterAll(async () => h?.close());

test('10 clients for 8 s: no inconsistency in any session, all agree at the end', async () => {
  const result = await runStress({
    port: h.port,
    address: user.address,
    password: user.password,
    clients: 10,
    durationMs: 8000,
    seed: 1,
  });
  expect(result.errors).toEqual([]);
  expect(result.operations).toBeGreaterThan(500);
}, 60_000);
