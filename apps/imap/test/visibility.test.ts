/**
 * Visibility after a 250 (issue 15): a message durable in the spool reaches every kind of session within a
 * bounded time: a client in IDLE, one polling NOOP in the selected INBOX, one polling STATUS, and a fresh login.
 * The delivery comes from another Mailstore instance on the same data dir, as from the MX process. With its change
 * event carried as usual, and with the event lost (a deliverer whose notifications reach nobody, what an inotify
 * overflow or a missed notification-file cut-back amounts to): then the mail store's spool recheck
 * (SPOOL_RECHECK_MS) still drains it. Each wait is for the condition itself, with a generous timeout.
 */
import { type ChangeNotifier, Mailstore } from '@mailyard/mailstore';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

/** Far above the 5 s recheck plus a drain, so only mail that never shows fails the test. */
const GENEROUS_MS = 30_000;

/** A change transport whose events reach no one: every notification of a delivery is lost. */
const LOST_EVENTS: ChangeNotifier = {
  publish: () => undefined,
  subscribe: () => () => undefined,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function messagesByStatus(wire: WireClient, tag: string): Promise<number> {
  const reply = await wire.command(tag, 'STATUS INBOX (MESSAGES)');
  return Number(/MESSAGES (\d+)/.exec(reply)?.[1] ?? -1);
}

/** Polls STATUS every 200 ms until INBOX holds `count` messages. */
async function statusPoller(wire: WireClient, count: number): Promise<void> {
  let n = 0;
  await waitFor(async () => (await messagesByStatus(wire, `S${n++}`)) >= count, GENEROUS_MS, 200).catch((err) => {
    throw new Error(`STATUS never showed ${count} messages`, { cause: err });
  });
}

/** Polls NOOP every 200 ms in the selected INBOX until `* <count> EXISTS` comes. */
async function noopPoller(wire: WireClient, count: number): Promise<void> {
  const exists = new RegExp(`^\\* ${count} EXISTS`, 'm');
  let n = 0;
  await waitFor(async () => exists.test(await wire.command(`N${n++}`, 'NOOP')), GENEROUS_MS, 200).catch((err) => {
    throw new Error(`NOOP never announced ${count} EXISTS`, { cause: err });
  });
}

/** A session for each kind of waiting, all logged in before the delivery. */
async function watchers(user: TestUser) {
  const idle = await loginWire(h.port, user.address, user.password);
  const noop = await loginWire(h.port, user.address, user.password);
  const status = await loginWire(h.port, user.address, user.password);
  const before = await messagesByStatus(status, 'B');
  await noop.command('A', 'SELECT INBOX');
  await idle.command('A', 'SELECT INBOX');
  idle.send('I IDLE\r\n');
  await idle.readUntil(/^\+ /m);
  const close = () => {
    for (const wire of [idle, noop, status]) wire.close();
  };
  return { idle, noop, status, before, close };
}

async function deliverAndWatch(user: TestUser, deliverer: Mailstore): Promise<void> {
  const w = await watchers(user);
  const target = w.before + 1;
  await deliverer.deliver(user.mailboxId, message('after the 250'));
  await Promise.all([
    w.idle.readUntil(new RegExp(`^\\* ${target} EXISTS`, 'm'), GENEROUS_MS),
    noopPoller(w.noop, target),
    statusPoller(w.status, target),
  ]);
  w.idle.send('DONE\r\n');
  await w.idle.readUntil(/^I OK/m);
  const fresh = await loginWire(h.port, user.address, user.password);
  expect(await messagesByStatus(fresh, 'F')).toBe(target);
  fresh.close();
  w.close();
}

test('a delivery from another process reaches IDLE, NOOP and STATUS polling and a fresh login', async () => {
  const user = await h.addUser('visible');
  const deliverer = new Mailstore({ dataDir: h.dataDir });
  try {
    await deliverAndWatch(user, deliverer);
  } finally {
    await deliverer.close();
  }
}, 60_000);

test('with its change event lost, the delivery still reaches every session within a bounded wait', async () => {
  const user = await h.addUser('unnotified');
  const deliverer = new Mailstore({ dataDir: h.dataDir, notifier: LOST_EVENTS });
  try {
    await deliverAndWatch(user, deliverer);
  } finally {
    await deliverer.close();
  }
}, 60_000);
