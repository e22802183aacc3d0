/** Shared test fixtures: a Mailstore in a temp dir with a cheap KDF, and message builders. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { Mailstore } from '../src/mailstore.js';
import type { MailboxSession, MailstoreOptions } from '../src/types.js';

export const TEST_KDF = { N: 1024, r: 8, p: 1 };

export interface TestStore {
  dir: string;
  store: Mailstore;
  /** Another Mailstore on the same data dir, as a second process would have. */
  another(opts?: Partial<MailstoreOptions>): Mailstore;
  cleanup(): Promise<void>;
}

export async function testStore(opts: Partial<MailstoreOptions> = {}): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'mailstore-'));
  const stores: Mailstore[] = [];
  const make = (extra: Partial<MailstoreOptions> = {}) => {
    const s = new Mailstore({ dataDir: dir, kdf: TEST_KDF, idleCloseMs: 20, notifyPollMs: 50, ...opts, ...extra });
    stores.push(s);
    return s;
  };
  const store = make();
  return {
    dir,
    store,
    another: make,
    async cleanup() {
      for (const s of stores) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `test` with one opened mailbox per test: `s`, the session of mailbox 'm' (password 'pw') in a fresh store,
 * closed after the test before its store (`t`) is removed. A test asks for them by name: ({ s }) or ({ s, t }).
 */
export const mailboxTest = test.extend<{ t: TestStore; s: MailboxSession }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  t: async ({}, use) => {
    const t = await testStore();
    await t.store.createMailbox('m', 'pw');
    await use(t);
    await t.cleanup();
  },
  s: async ({ t }, use) => {
    const s = await t.store.open('m', 'pw');
    await use(s);
    s.close();
  },
});

export interface MessageOptions {
  subject?: string;
  from?: string;
  to?: string;
  cc?: string;
  date?: string;
  messageId?: string;
  headers?: string;
  body?: string;
}

export function textMessage(opts: MessageOptions = {}): Buffer {
  const lines = [
    `From: ${opts.from ?? 'Alice Sender <alice@example.org>'}`,
    `To: ${opts.to ?? 'Bob Receiver <bob@example.net>'}`,
    ...(opts.cc ? [`Cc: ${opts.cc}`] : []),
    `Subject: ${opts.subject ?? 'Test message'}`,
    `Date: ${opts.date ?? 'Mon, 02 Mar 2026 10:00:00 +0000'}`,
    `Message-ID: <${opts.messageId ?? Math.random().toString(36).slice(2)}@example.org>`,
    ...(opts.headers ? [opts.headers] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Hello world.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** multipart/mixed with a base64 attachment larger than 4 KiB (stored once by hash). */
export function messageWithAttachment(subject: string, attachment: Buffer): Buffer {
  const b64 = (attachment.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(
    [
      'From: alice@example.org',
      'To: bob@example.net',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="XYZ"',
      '',
      '--XYZ',
      'Content-Type: text/plain',
      '',
      `see attached ${subject}`,
      '--XYZ',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Disposition: attachment; filename="data.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--XYZ--',
      '',
    ].join('\r\n'),
  );
}
