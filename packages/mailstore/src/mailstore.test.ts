import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '@mailyard/errors';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Mailstore } from './mailstore.js';

const KDF = { N: 1024 };

function message(subject: string, body: string, extra = ''): Buffer {
  return Buffer.from(
    `From: Alice Canary <alice.canary@example.org>\r\nTo: Bob Canary <bob.canary@example.net>\r\n` +
      `Subject: ${subject}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n${extra}` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );
}

let dir: string;
let store: Mailstore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstore-'));
  store = new Mailstore({ dataDir: dir, kdf: KDF, idleCloseMs: 50 });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mailbox lifecycle', () => {
  test('deliver then open drains into INBOX byte-identically', async () => {
    await store.createMailbox('m1', 'secret');
    const raw = message('Hello there', 'Body text');
    await store.deliver('m1', raw);
    const session = await store.open('m1', 'secret');
    const list = session.listMessages('INBOX');
    expect(list).toHaveLength(1);
    expect(session.getRaw('INBOX', list[0]?.uid ?? 0)?.equals(raw)).toBe(true);
    session.close();
  });

  test('wrong password fails and changes nothing', async () => {
    await store.createMailbox('m2', 'secret');
    await expect(store.open('m2', 'nope')).rejects.toBeInstanceOf(AuthenticationError);
  });
});
