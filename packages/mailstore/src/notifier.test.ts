import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { FileChangeNotifier } from './notifier.js';
import type { ChangeEvent } from './types.js';

let dir: string;
const notifiers: FileChangeNotifier[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notify-'));
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) n.close();
  await rm(dir, { recursive: true, force: true });
});

function notifier(): FileChangeNotifier {
  const n = new FileChangeNotifier(dir, { pollMs: 100 });
  notifiers.push(n);
  return n;
}

function collect(n: FileChangeNotifier, mailboxId: string): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  n.subscribe(mailboxId, (e) => events.push(e));
  return events;
}

test("events reach other notifier instances once, and the publisher's own subscribers once", async () => {
  const a = notifier();
  const b = notifier();
  const atA = collect(a, 'box');
  const atB = collect(b, 'box');
  const other = collect(b, 'other-box');
  a.publish({ mailboxId: 'box', folder: 'INBOX', kind: 'added', uid: 1 });
  a.publish({ mailboxId: 'box', folder: 'INBOX', kind: 'flags', uid: 1, modseq: 7 });
  expect(atA).toHaveLength(2);
  await waitFor(() => atB.length === 2);
  expect(atB[1]).toEqual({ mailboxId: 'box', folder: 'INBOX', kind: 'flags', uid: 1, modseq: 7 });
  // Time for a duplicate or stray delivery to show (several polls of 100 ms): none may come.
  await new Promise((r) => setTimeout(r, 250));
  expect(atA).toHaveLength(2);
  expect(atB).toHaveLength(2);
  expect(other).toHaveLength(0);
});

test('unsubscribe stops delivery', async () => {
  const a = notifier();
  const b = notifier();
  const events: ChangeEvent[] = [];
  const off = b.subscribe('box', (e) => events.push(e));
  off();
  a.publish({ mailboxId: 'box', folder: 'INBOX', kind: 'spool' });
  // Nothing may arrive: three polls of 100 ms give a delivery after unsubscribe the time to show.
  await new Promise((r) => setTimeout(r, 300));
  expect(events).toEqual([]);
});

test('a reader that finds the file cut back tells its subscribers to re-read (drain, every folder)', async () => {
  const a = notifier();
  const b = notifier();
  const atB = collect(b, 'box');
  // Past 1 MiB in one write (one tick), which B reads whole; the next write then starts the file over.
  for (let uid = 1; uid <= 12_000; uid++) a.publish({ mailboxId: 'box', folder: 'INBOX', kind: 'added', uid });
  await waitFor(() => atB.length === 12_000, 20_000);
  a.publish({ mailboxId: 'box', folder: 'INBOX', kind: 'flags', uid: 1, modseq: 9 });
  await waitFor(() => atB.some((e) => e.kind === 'flags'), 20_000);
  const afterCut = atB.slice(12_000);
  expect(afterCut).toContainEqual({ mailboxId: 'box', folder: '', kind: 'spool' });
  expect(afterCut).toContainEqual({ mailboxId: 'box', folder: '', kind: 'folder' });
});
