/**
 * imaptest groups "condstore" and "qresync" (RFC 7162): a message's MODSEQ as told to a session never goes
 * down (§3.1: each change takes a higher modseq; an update older than what the session was already told is not
 * sent), flag updates from other sessions carry MODSEQ once CONDSTORE is on, and with QRESYNC an expunge by
 * another session arrives as VANISHED (§3.2.10).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('condstore');
  const wire = await f.session();
  for (const subject of ['one', 'two', 'three']) await appendWire(wire, 'A', 'INBOX', message(subject));
});
afterAll(async () => f?.close());

function modseqs(reply: string): number[] {
  return [...reply.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
}

test('an update older than what the session was told is not sent (MODSEQ never drops)', async () => {
  const writer = await f.session();
  await writer.command('E', 'ENABLE CONDSTORE');
  await writer.command('S', 'SELECT INBOX');
  const reader = await f.session();
  await reader.command('E', 'ENABLE CONDSTORE');
  await reader.command('S', 'SELECT INBOX');
  await writer.command('W1', 'STORE 1 +FLAGS (\\Seen)');
  await writer.command('W2', 'STORE 1 +FLAGS ($Later)');
  const fetched = modseqs(await reader.command('R1', 'FETCH 1 (MODSEQ)'));
  expect(fetched).toHaveLength(1);
  const noop = await reader.command('R2', 'NOOP');
  for (const value of modseqs(noop)) expect(value).toBeGreaterThanOrEqual(fetched[0] as number);
  expect(noop).not.toMatch(/^\* 1 FETCH \(FLAGS \(\\Seen( \\Recent)?\) MODSEQ/m);
});

test('flag updates from another session carry MODSEQ under CONDSTORE, in increasing order', async () => {
  const writer = await f.session('INBOX');
  const reader = await f.session();
  await reader.command('E', 'ENABLE CONDSTORE');
  await reader.command('S', 'SELECT INBOX');
  await writer.command('W1', 'STORE 2 +FLAGS (\\Flagged)');
  await writer.command('W2', 'STORE 3 +FLAGS (\\Flagged)');
  const reply = await reader.command('R1', 'NOOP');
  expect(reply).toMatch(/^\* 2 FETCH \(FLAGS \([^)]*\) MODSEQ \(\d+\)\)/m);
  const values = modseqs(reply);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(await reader.command('R2', 'STATUS INBOX (HIGHESTMODSEQ)'))?.[1]);
  expect(Math.max(...values)).toBeLessThanOrEqual(highest);
});

test('QRESYNC: an expunge by another session arrives as VANISHED', async () => {
  const reader = await f.session();
  await reader.command('E', 'ENABLE QRESYNC');
  await reader.command('S', 'SELECT INBOX');
  const writer = await f.session('INBOX');
  await writer.command('W1', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)');
  await writer.command('W2', 'UID EXPUNGE 3');
  const reply = await reader.command('R1', 'NOOP');
  expect(reply).toMatch(/^\* VANISHED 3\r\n/m);
  expect(reply).not.toMatch(/EXPUNGE/);
});
