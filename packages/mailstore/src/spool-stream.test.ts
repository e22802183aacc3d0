import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { mailboxPaths } from './paths.js';

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
});
afterEach(() => t.cleanup());

/** A source that yields `raw` in pieces of `piece` bytes, each a fresh Buffer, like a file read back. */
function pieces(raw: Buffer, piece: number) {
  return {
    size: raw.length,
    async *open() {
      for (let i = 0; i < raw.length; i += piece) yield Buffer.from(raw.subarray(i, i + piece));
    },
  };
}

test('deliverStream seals a message from a stream: no plaintext on disk, drained byte-identical with its meta', async () => {
  const body = `${'streamed secret line\r\n'.repeat(20_000)}`;
  const raw = textMessage({ subject: 'streamed', body });
  await t.store.deliverStream('m', pieces(raw, 65_536), { folder: 'Sent', flags: ['\\Seen'] });
  await t.store.deliver('m', textMessage({ subject: 'small one' }));
  const spoolDir = mailboxPaths(t.dir, 'm').spoolDir;
  const files = await readdir(spoolDir);
  expect(files.filter((n) => n.endsWith('.sealed'))).toHaveLength(2);
  expect(files.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  for (const name of files) expect((await readFile(join(spoolDir, name))).includes('streamed secret')).toBe(false);

  const session = await t.store.open('m', 'pw');
  const [sent] = session.listMessages('Sent');
  expect(sent?.flags).toEqual(['\\Seen']);
  expect(session.getRaw('Sent', sent?.uid ?? 0)?.equals(raw)).toBe(true);
  expect(session.status('INBOX').messages).toBe(1);
  session.close();
});

test('a source that fails, or gives more or fewer bytes than announced, leaves no spool file at all', async () => {
  const raw = textMessage({ subject: 'broken', body: 'x'.repeat(200_000) });
  const failing = {
    size: raw.length,
    async *open() {
      yield raw.subarray(0, 1000);
      throw new Error('client went away');
    },
  };
  await expect(t.store.deliverStream('m', failing)).rejects.toThrow('client went away');
  await expect(t.store.deliverStream('m', { ...pieces(raw, 4096), size: raw.length + 1 })).rejects.toThrow(/announced/);
  await expect(t.store.deliverStream('m', { ...pieces(raw, 4096), size: raw.length - 1 })).rejects.toThrow(/announced/);
  expect(await readdir(mailboxPaths(t.dir, 'm').spoolDir)).toEqual([]);
  const session = await t.store.open('m', 'pw');
  expect(session.status('INBOX').messages).toBe(0);
  session.close();
});
