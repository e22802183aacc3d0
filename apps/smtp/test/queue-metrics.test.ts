/**
 * The outbound queue gauges (mailyard_queue_depth, mailyard_queue_bytes) as the outbound process serves them
 * (main.ts registers the control store's queueStats): they follow the messages still queued in control.db.
 */
import { readMetric, watchOutboundQueue } from '@mailyard/monitor';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, HOSTED, message, REMOTE, startHarness } from './harness.js';

let h: Harness;
let unwatch: () => void;

beforeAll(async () => {
  h = await startHarness();
  unwatch = watchOutboundQueue(() => h.control.queueStats());
});
afterAll(async () => {
  unwatch?.();
  await h?.close();
});

test('queue depth and bytes grow with a queued message and shrink once it is delivered', async () => {
  const depth = await readMetric('mailyard_queue_depth');
  const bytes = await readMetric('mailyard_queue_bytes');
  const body = message({ from: `alice@${HOSTED}`, to: `carol@${REMOTE}` });
  const queued = await h.control.enqueue({ envelopeFrom: `alice@${HOSTED}`, recipients: [`carol@${REMOTE}`], body });
  expect(await readMetric('mailyard_queue_depth')).toBe(depth + 1);
  expect(await readMetric('mailyard_queue_bytes')).toBeGreaterThanOrEqual(bytes + body.length);
  const [claimed] = await h.control.claimDue('metrics-test', new Date(), 10);
  expect(claimed?.id).toBe(queued.id);
  await h.control.complete(queued.id, 'metrics-test', 'delivered');
  expect(await readMetric('mailyard_queue_depth')).toBe(depth);
  expect(await readMetric('mailyard_queue_bytes')).toBe(bytes);
});
