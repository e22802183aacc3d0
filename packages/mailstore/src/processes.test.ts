import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore } from '../test/fixtures.js';
import { type Child, startChild } from '../test/processes.js';
import type { ChangeEvent, MailboxSession } from './types.js';

let t: TestStore;
const children: Child[] = [];

beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('shared', 'pw');
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  }
  await t.cleanup();
});

function spawnChild(args: string[]): Child {
  const child = startChild(args);
  children.push(child);
  return child;
}

function subjects(session: MailboxSession): string[] {
  return session
    .listMessages('INBOX')
    .map((m) => session.getMessage('INBOX', m.uid)?.headers.find((h) => h.key === 'subject')?.value ?? '');
}

test('two processes appending to one mailbox lose nothing', async () => {
  const a = spawnChild(['append', t.dir, 'shared', 'pw', '120', 'procA']);
  const b = spawnChild(['append', t.dir, 'shared', 'pw', '120', 'procB']);
  await Promise.all([a.waitForLine((l) => l === 'done'), b.waitForLine((l) => l === 'done')]);
  const session = await t.store.open('shared', 'pw');
  const list = session.listMessages('INBOX');
  expect(list).toHaveLength(240);
  expect(new Set(list.map((m) => m.uid)).size).toBe(240);
  const got = new Set(subjects(session));
  for (let i = 0; i < 120; i++) {
    expect(got.has(`procA-${i}`)).toBe(true);
    expect(got.has(`procB-${i}`)).toBe(true);
  }
  session.close();
}, 60_000);

test('kill -9 in the middle of 1,000 deliveries loses no delivery that had returned', async () => {
  const child = spawnChild(['deliver', t.dir, 'shared', '1000', '20']);
  await child.waitForLine((l) => l === 'ok 300' || Number(l.slice(3)) >= 300);
  child.proc.kill('SIGKILL');
  await child.exited;
  const acknowledged = child.lines.filter((l) => l.startsWith('ok ')).map((l) => `kill-${l.slice(3)}`);
  expect(acknowledged.length).toBeGreaterThanOrEqual(300);
  expect(acknowledged.length).toBeLessThan(1000);
  const session = await t.store.open('shared', 'pw');
  const got = new Set(subjects(session));
  const missing = acknowledged.filter((id) => !got.has(id));
  expect(missing).toEqual([]);
  session.close();
}, 60_000);

test('a change in one process reaches a subscriber in another within 1 s', async () => {
  const listener = spawnChild(['listen', t.dir, 'shared']);
  await listener.waitForLine((l) => l === 'ready');
  const session = await t.store.open('shared', 'pw');
  const started = Date.now();
  const { uid } = await session.append('INBOX', Buffer.from('Subject: hi\r\n\r\nhello\r\n'));
  const line = await listener.waitForLine((l) => l.includes('"added"'), 1000);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(JSON.parse(line)).toMatchObject({ mailboxId: 'shared', folder: 'INBOX', kind: 'added', uid });
  session.close();
}, 30_000);

test('a delivery from another process is drained at once into a mailbox held open here', async () => {
  const session = await t.store.open('shared', 'pw');
  const seen = new Promise<[ChangeEvent, number]>((resolve) => {
    const off = t.store.notifier.subscribe('shared', (event) => {
      if (event.kind !== 'added') return;
      off();
      resolve([event, Date.now()]);
    });
  });
  const child = spawnChild(['deliver', t.dir, 'shared', '1', '1']);
  await child.waitForLine((l) => l === 'ok 0');
  const delivered = Date.now();
  const [event, at] = await seen;
  expect(at - delivered).toBeLessThan(1000);
  expect(event.uid).toBe(1);
  expect(subjects(session)).toEqual(['kill-0']);
  session.close();
}, 30_000);
