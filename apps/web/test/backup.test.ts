/**
 * The backup page over real HTTP on 127.0.0.1: the encrypted copy downloaded with the mailbox password opens
 * with that password (and only with it) and holds the mailbox; the mbox download holds the same messages; an mbox
 * upload is imported in the background with its summary on a self-refreshing status page (again: all duplicates);
 * the copy restores into another existing mailbox and into a new alias with messages, flags and internal dates
 * equal; wrong passwords, a file of the wrong kind, a missing CSRF token and a file over web.uploadMaxBytes get a
 * clear page and change nothing; the process keeps serving.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueMailboxPassword } from '@mailyard/control';
import { corpusMessages, type MessageSnapshot, mailboxSnapshot, waitFor } from '@mailyard/testkit';
import { isMailboxCopy, openMailboxCopy, readMbox, scratchDir } from '@mailyard/transfer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, type Page, startHarness, WebClient } from './harness.js';

const DOMAIN = 'backup.example';
const SOURCE_PASSWORD = 'source mailbox password';
const OTHER_PASSWORD = 'other mailbox password';
const UPLOAD_LIMIT = 4 * 1024 * 1024;
const FLAG_SETS = [['\\Seen'], [], ['\\Seen', '\\Flagged'], ['\\Answered', '\\Seen', 'Work'], ['\\Draft']];

/** Posts a multipart form the way a browser does: the fields in order (the CSRF token first), then the file. */
async function upload(
  client: WebClient,
  path: string,
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer } | null,
  csrf: string | null = client.csrf,
): Promise<Page> {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(`${client.base}${path}`, {
    method: 'POST',
    headers: { cookie: client.cookie },
    body: form,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
}

describe('backup, import and restore on the dashboard', () => {
  let h: Harness;
  let owner: WebClient;
  let expected: MessageSnapshot[];
  const mailboxes = new Map<string, string>();
  const aliasPage = (name: string) => `/domains/${DOMAIN}/aliases/${name}/backup`;

  const openMailbox = async (name: string, password: string) => {
    const id = mailboxes.get(name);
    if (!id) throw new Error(`no mailbox ${name}`);
    return h.mailstore.open(id, password);
  };
  const contents = async (name: string, password: string) => {
    const session = await openMailbox(name, password);
    try {
      return mailboxSnapshot(session);
    } finally {
      session.close();
    }
  };
  /** Follows the 303 to the status page and waits until it says done (it refreshes itself while running). */
  const finished = async (started: Page): Promise<string> => {
    expect(started.status).toBe(303);
    const path = started.location ?? '';
    expect(path).toMatch(/\/backup\/jobs\/I[0-9a-f]{24}$/);
    const first = await owner.get(path);
    if (!first.text.includes('status-done') && !first.text.includes('status-failed')) {
      expect(first.headers.get('refresh')).toBe('2');
    }
    const page = await waitFor(async () => {
      const p = await owner.get(path);
      return p.text.includes('status-done') || p.text.includes('status-failed') ? p : null;
    }, 120_000);
    expect(page.headers.get('refresh')).toBeNull();
    return page.text;
  };
  const download = async (format: 'sqlite' | 'mbox', password: string) => {
    await owner.get(aliasPage('source'));
    const form = new URLSearchParams({ _csrf: owner.csrf, password, format });
    return fetch(`${h.base}${aliasPage('source')}/download`, {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
  };

  beforeAll(async () => {
    h = await startHarness({ config: { web: { uploadMaxBytes: UPLOAD_LIMIT } } });
    owner = await new WebClient(h.base).signUp('owner@backup.example');
    const account = await h.control.findAccountByEmail('owner@backup.example');
    const domain = await h.control.createDomain({
      accountId: account?.id ?? '',
      name: DOMAIN,
      verificationToken: 't',
      dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    });
    for (const [name, password] of [
      ['source', SOURCE_PASSWORD],
      ['imported', OTHER_PASSWORD],
      ['restored', OTHER_PASSWORD],
    ] as const) {
      const alias = await h.control.createAlias(domain.id, { name, hasImap: true });
      const issued = await issueMailboxPassword(h.control, h.mailstore, alias, { newPassword: password });
      mailboxes.set(name, issued.mailboxId);
    }
    await h.control.createAlias(domain.id, { name: 'nobox', hasImap: false });
    const session = await openMailbox('source', SOURCE_PASSWORD);
    try {
      session.createFolder('Archive/2024');
      const folders = ['INBOX', 'Archive/2024', 'INBOX', 'Sent'];
      const files = corpusMessages().slice(0, 40);
      for (const [i, file] of files.entries()) {
        const internalDate = new Date(Date.UTC(2021, i % 12, 1 + (i % 27), i % 24, i % 60, i % 60, i * 7));
        const flags = FLAG_SETS[i % FLAG_SETS.length] ?? [];
        await session.append(folders[i % folders.length] as string, await readFile(file), { flags, internalDate });
      }
      expected = mailboxSnapshot(session);
    } finally {
      session.close();
    }
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the page is there for an alias with a mailbox, and only for one', async () => {
    const page = await owner.get(aliasPage('source'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Download the encrypted copy');
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect((await owner.get(aliasPage('nobox'))).status).toBe(404);
    expect((await new WebClient(h.base).get(aliasPage('source'))).status).toBe(303);
  });

  test.skipIf(corpusMessages().length === 0)(
    'the encrypted copy opens with the mailbox password only, and holds the mailbox',
    async () => {
      const wrong = await download('sqlite', 'not the password');
      expect(wrong.status).toBe(403);
      expect(wrong.headers.get('content-disposition')).toBeNull();
      expect(await wrong.text()).toContain('The mailbox password is wrong.');

      const res = await download('sqlite', SOURCE_PASSWORD);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      expect(res.headers.get('content-disposition')).toBe(
        'attachment; filename="source@backup.example.mailyard-copy.zip"',
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(Number(res.headers.get('content-length')));
      expect(bytes.includes('SQLite format 3')).toBe(false);
      const dir = join(h.dataDir, 'test-downloads');
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'copy.zip');
      await writeFile(path, bytes);
      expect(await isMailboxCopy(path)).toBe(true);
      await expect(openMailboxCopy(path, { password: 'not the password' }, dir)).rejects.toThrow(/credentials/i);
      const copy = await openMailboxCopy(path, { password: SOURCE_PASSWORD }, dir);
      try {
        expect(mailboxSnapshot(copy.session)).toEqual(expected);
      } finally {
        await copy.close();
      }
      // The copy's working files went with the stream.
      await waitFor(async () => (await readdir(scratchDir(join(h.dataDir, 'tmp', 'backups')))).length === 0, 30_000);
    },
  );

  test.skipIf(corpusMessages().length === 0)('the mbox holds the same messages, folders, flags and dates', async () => {
    const res = await download('mbox', SOURCE_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/mbox');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="source@backup.example.mbox"');
    const path = join(h.dataDir, 'test-downloads', 'source.mbox');
    await writeFile(path, Buffer.from(await res.arrayBuffer()));
    const read: MessageSnapshot[] = [];
    for await (const item of readMbox(path)) {
      if ('reason' in item) throw new Error(item.reason);
      read.push({
        folder: item.folder,
        raw: item.raw,
        flags: [...item.flags].sort(),
        internalDate: item.internalDate.getTime(),
      });
    }
    expect(read).toEqual(expected);
  });

  test.skipIf(corpusMessages().length === 0)(
    'an mbox upload is imported in the background; the same file again is all duplicates',
    async () => {
      const mbox = await readFile(join(h.dataDir, 'test-downloads', 'source.mbox'));
      await owner.get(aliasPage('imported'));
      const wrong = await upload(
        owner,
        `${aliasPage('imported')}/import`,
        { password: 'wrong' },
        { name: 'a.mbox', bytes: mbox },
      );
      expect(wrong.status).toBe(403);
      expect(wrong.text).toContain('The mailbox password is wrong.');
      expect(await contents('imported', OTHER_PASSWORD)).toEqual([]);

      const first = await finished(
        await upload(
          owner,
          `${aliasPage('imported')}/import`,
          { password: OTHER_PASSWORD, folder: 'INBOX' },
          {
            name: 'old mail.mbox',
            bytes: mbox,
          },
        ),
      );
      expect(first).toContain('old mail.mbox');
      expect(first).toContain(`<dd id="job-imported">${expected.length}</dd>`);
      expect(first).toContain('<dd id="job-duplicates">0</dd>');
      expect(await contents('imported', OTHER_PASSWORD)).toEqual(expected);

      const again = await finished(
        await upload(
          owner,
          `${aliasPage('imported')}/import`,
          { password: OTHER_PASSWORD },
          { name: 'again.mbox', bytes: mbox },
        ),
      );
      expect(again).toContain('<dd id="job-imported">0</dd>');
      expect(again).toContain(`<dd id="job-duplicates">${expected.length}</dd>`);
      expect(await contents('imported', OTHER_PASSWORD)).toHaveLength(expected.length);
      // Both jobs are listed on the backup page; the uploads are gone.
      const page = await owner.get(aliasPage('imported'));
      expect(page.text).toContain('again.mbox');
      expect(await readdir(scratchDir(join(h.dataDir, 'tmp', 'uploads')))).toEqual([]);
    },
  );

  test.skipIf(corpusMessages().length === 0)(
    'the copy restores into another mailbox with messages, flags and internal dates equal; wrong passwords change nothing',
    async () => {
      const copy = await readFile(join(h.dataDir, 'test-downloads', 'copy.zip'));
      const restore = `${aliasPage('restored')}/restore`;
      await owner.get(aliasPage('restored'));

      const wrongBackup = await upload(
        owner,
        restore,
        { password: OTHER_PASSWORD, backup_password: 'nope' },
        {
          name: 'copy.zip',
          bytes: copy,
        },
      );
      expect(wrongBackup.status).toBe(403);
      expect(wrongBackup.text).toContain('The backup does not open with this password.');
      // Without a backup password the mailbox's own is tried: it is not the one the copy was made with.
      const sameAsTarget = await upload(
        owner,
        restore,
        { password: OTHER_PASSWORD },
        { name: 'copy.zip', bytes: copy },
      );
      expect(sameAsTarget.status).toBe(403);
      const wrongTarget = await upload(
        owner,
        restore,
        { password: 'nope', backup_password: SOURCE_PASSWORD },
        {
          name: 'copy.zip',
          bytes: copy,
        },
      );
      expect(wrongTarget.status).toBe(403);
      expect(wrongTarget.text).toContain('The mailbox password is wrong.');
      const notACopy = await upload(
        owner,
        restore,
        { password: OTHER_PASSWORD, backup_password: SOURCE_PASSWORD },
        {
          name: 'mail.mbox',
          bytes: Buffer.from('From x\r\nSubject: hi\r\n\r\nbody\r\n'),
        },
      );
      expect(notACopy.status).toBe(400);
      expect(notACopy.text).toContain('not an encrypted copy made by Mailyard');
      expect(await contents('restored', OTHER_PASSWORD)).toEqual([]);

      const done = await finished(
        await upload(
          owner,
          restore,
          { password: OTHER_PASSWORD, backup_password: SOURCE_PASSWORD },
          {
            name: 'copy.zip',
            bytes: copy,
          },
        ),
      );
      expect(done).toContain(`<dd id="job-imported">${expected.length}</dd>`);
      expect(await contents('restored', OTHER_PASSWORD)).toEqual(expected);
    },
  );

  test.skipIf(corpusMessages().length === 0)(
    'a copy restores into a new alias, whose new password is shown once; a wrong password creates nothing',
    async () => {
      const copy = await readFile(join(h.dataDir, 'test-downloads', 'copy.zip'));
      const path = `/domains/${DOMAIN}/restore`;
      expect((await owner.get(path)).status).toBe(200);
      const wrong = await upload(
        owner,
        path,
        { name: 'fresh', backup_password: 'nope' },
        { name: 'c.zip', bytes: copy },
      );
      expect(wrong.status).toBe(403);
      expect(wrong.text).toContain('The backup does not open with this password.');
      const domain = await h.control.findDomainByName(DOMAIN);
      expect(await h.control.findAlias(domain?.id ?? '', 'fresh')).toBeNull();

      const page = await upload(
        owner,
        path,
        { name: 'fresh', backup_password: SOURCE_PASSWORD },
        {
          name: 'c.zip',
          bytes: copy,
        },
      );
      expect(page.status).toBe(201);
      const password = /id="mailbox-password">([^<]+)</.exec(page.text)?.[1] ?? '';
      expect(page.text).toContain('id="recovery-key"');
      const status = /href="([^"]+)" id="restore-status"/.exec(page.text)?.[1] ?? '';
      await finished({ status: 303, headers: new Headers(), text: '', location: status });
      const alias = await h.control.findAlias(domain?.id ?? '', 'fresh');
      expect(alias?.hasImap).toBe(true);
      mailboxes.set('fresh', alias?.mailboxId ?? '');
      expect(await contents('fresh', password)).toEqual(expected);
    },
  );

  test('a forged upload, a file over the limit and an unreadable file are refused; the process keeps serving', async () => {
    const importPath = `${aliasPage('imported')}/import`;
    await owner.get(aliasPage('imported'));
    const small = { name: 'x.mbox', bytes: Buffer.from('From x\r\nSubject: x\r\n\r\nx\r\n') };
    const forged = await upload(owner, importPath, { password: OTHER_PASSWORD }, small, 'not-the-token');
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('This form has expired');
    const noToken = await upload(owner, importPath, { password: OTHER_PASSWORD }, small, null);
    expect(noToken.status).toBe(403);

    const big = await upload(
      owner,
      importPath,
      { password: OTHER_PASSWORD },
      {
        name: 'big.mbox',
        bytes: Buffer.alloc(UPLOAD_LIMIT + 1024 * 1024, 'From x\r\n'),
      },
    );
    expect(big.status).toBe(413);
    expect(big.text).toContain('larger than the 4 MiB');

    const brokenZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
    const broken = await upload(owner, importPath, { password: OTHER_PASSWORD }, { name: 'b.zip', bytes: brokenZip });
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('The file could not be read');
    const none = await upload(owner, importPath, { password: OTHER_PASSWORD }, null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a file to upload.');

    expect(await readdir(scratchDir(join(h.dataDir, 'tmp', 'uploads')))).toEqual([]);
    expect((await owner.get(aliasPage('imported'))).status).toBe(200);
  });
});
