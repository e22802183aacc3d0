/**
 * GET /v1/export over real HTTP with curl as the client: an mbox download, a truncated copy resumed with `curl -C -`
 * (a Range request) that ends byte-identical to the full download, If-Range with a stale ETag (the whole file),
 * an unsatisfiable range (416), an eml-zip download, and the refusals: an account token (401) and an unknown
 * format (400). POST /v1/imports of that mbox into a second mailbox: 202, then a status of done with the counts,
 * and an IMAP server (its own mail store on the same data dir) lists the messages to imapflow; posted again, every
 * message is a duplicate, and the instance's upload directory is empty again; an upload over api.importMaxBytes is 413. The sqlite copy posted to a third mailbox is
 * refused (403) without the password of the mailbox it was made from (Mailyard-Copy-Password), and with it
 * restores every message with its flags and internal date.
 */
import { execFile } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { corpusMessages, mailboxSnapshot, requireTool, tempDir, waitFor } from '@mailyard/testkit';
import { scratchDir } from '@mailyard/transfer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { type ImapBeside, imapClient, startImapBeside } from './imap-beside.js';

const DOMAIN = 'mail.example';

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}
const run = promisify(execFile);

describe('mailbox export over HTTP', () => {
  let h: Harness;
  let token: string;
  let work: { path: string; cleanup(): Promise<void> };
  const box = { address: `box@${DOMAIN}`, password: '', mailboxId: '' };
  const dest = { address: `dest@${DOMAIN}`, password: '', mailboxId: '' };
  const restored = { address: `restored@${DOMAIN}`, password: '', mailboxId: '' };
  let auth: Record<string, string>;
  let imap: ImapBeside;
  const IMPORT_MAX = 4 * 1024 * 1024;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, api: { importMaxBytes: IMPORT_MAX } });
    work = await tempDir('mailyard-export-');
    token = await h.signUp(`owner@${DOMAIN}`);
    expect((await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } })).status).toBe(201);
    for (const user of [box, dest, restored]) {
      const name = user.address.split('@')[0] ?? '';
      await h.call('POST', `/v1/domains/${DOMAIN}/aliases`, { token, json: { name, has_imap: true } });
      const issued = await h.call('POST', `/v1/domains/${DOMAIN}/aliases/${name}/generate-password`, { token });
      user.password = issued.body.password;
      const domain = await h.control.findDomainByName(DOMAIN);
      user.mailboxId = (await h.control.findAlias(domain?.id ?? '', name))?.mailboxId ?? '';
    }
    auth = { authorization: `Basic ${Buffer.from(`${box.address}:${box.password}`).toString('base64')}` };
    const corpus = corpusMessages().slice(0, 40);
    expect(corpus.length).toBeGreaterThan(0);
    for (const path of corpus) await h.mailstore.deliver(box.mailboxId, readFileSync(path));
    imap = await startImapBeside(h);
  });

  afterAll(async () => {
    await imap?.close();
    expect(h.errors).toEqual([]);
    await work?.cleanup();
    await h.close();
  });

  test('curl downloads an mbox export, and resumes a truncated one with -C - to the same bytes', async () => {
    if (!requireTool('curl')) return;
    const user = `${box.address}:${box.password}`;
    const url = `${h.base}/v1/export?format=mbox`;
    const full = join(work.path, 'full.mbox');
    const headers = await run('curl', ['-sS', '--fail', '-D', '-', '-o', full, '-u', user, url]);
    expect(headers.stdout).toMatch(/^content-type: application\/mbox/im);
    expect(headers.stdout).toMatch(/^content-disposition: attachment; filename="box@mail\.example\.mbox"/im);
    expect(headers.stdout).toMatch(/^accept-ranges: bytes/im);
    const etag = /^etag: (".+")\r?$/im.exec(headers.stdout)?.[1];
    expect(etag).toBeTruthy();
    const bytes = readFileSync(full);
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(bytes.subarray(0, 5).toString()).toBe('From ');

    const partial = join(work.path, 'partial.mbox');
    writeFileSync(partial, bytes);
    truncateSync(partial, Math.floor(bytes.length / 3));
    const resumed = await run('curl', ['-sS', '--fail', '-D', '-', '-C', '-', '-o', partial, '-u', user, url]);
    expect(resumed.stdout).toMatch(/^HTTP\/1\.1 206/m);
    expect(resumed.stdout).toMatch(
      new RegExp(`^content-range: bytes ${Math.floor(bytes.length / 3)}-${bytes.length - 1}/${bytes.length}`, 'im'),
    );
    expect(Buffer.compare(readFileSync(partial), bytes)).toBe(0);

    // If-Range naming another export: the whole current file, 200.
    const stale = await fetch(url, { headers: { ...auth, range: 'bytes=10-', 'if-range': '"0000"' } });
    expect(stale.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await stale.arrayBuffer()), bytes)).toBe(0);
    const same = await fetch(url, { headers: { ...auth, range: 'bytes=0-4', 'if-range': etag ?? '' } });
    expect(same.status).toBe(206);
    expect(await same.text()).toBe('From ');
    const beyond = await fetch(url, { headers: { ...auth, range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(((await beyond.json()) as { message: string }).message).toContain(String(bytes.length));
  });

  test('a new message changes the export (new ETag, new file)', async () => {
    const first = await fetch(`${h.base}/v1/export?format=mbox&folder=INBOX`, { headers: auth });
    const before = Buffer.from(await first.arrayBuffer());
    await h.mailstore.deliver(
      box.mailboxId,
      Buffer.from(`From: a@${DOMAIN}\r\nTo: box@${DOMAIN}\r\nSubject: later\r\nMessage-ID: <later@x>\r\n\r\nhi\r\n`),
    );
    const second = await fetch(`${h.base}/v1/export?format=mbox&folder=INBOX`, { headers: auth });
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(second.headers.get('content-disposition')).toContain('box@mail.example-INBOX.mbox');
    const after = Buffer.from(await second.arrayBuffer());
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.toString('latin1')).toContain('Subject: later');
  });

  test('an eml-zip export is a zip', async () => {
    const res = await fetch(`${h.base}/v1/export?format=eml-zip`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
  });

  test('refusals: an account token (401), an unknown format (400), an unknown folder (404)', async () => {
    const byToken = await h.call('GET', '/v1/export?format=mbox', { token });
    expect(byToken.status).toBe(401);
    const bad = await h.call('GET', '/v1/export?format=pst', { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/format/);
    const missing = await h.call('GET', '/v1/export?format=mbox&folder=Nowhere', { headers: auth });
    expect(missing.status).toBe(404);
  });

  test('an uploaded mbox is imported into another mailbox in the background, and IMAP sees it', async () => {
    const exported = await fetch(`${h.base}/v1/export?format=mbox&folder=INBOX`, { headers: auth });
    const mbox = Buffer.from(await exported.arrayBuffer());
    const source = await h.call('GET', '/v1/folders/INBOX', { headers: auth });
    const count = source.body.messages as number;
    expect(count).toBeGreaterThan(1);
    const destAuth = {
      authorization: `Basic ${Buffer.from(`${dest.address}:${dest.password}`).toString('base64')}`,
      'content-type': 'application/octet-stream',
    };
    const posted = await h.call('POST', '/v1/imports', { headers: destAuth, body: mbox });
    expect(posted.status).toBe(202);
    expect(posted.body.status).toBe('queued');
    expect(posted.headers.get('location')).toBe(`/v1/imports/${posted.body.id}`);
    const finished = async (id: string) =>
      waitFor(async () => {
        const res = await h.call('GET', `/v1/imports/${id}`, { headers: destAuth });
        expect(res.status).toBe(200);
        return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
      }, 20_000);
    const status = await finished(posted.body.id);
    expect(status).toMatchObject({ status: 'done', format: 'mbox', imported: count, duplicates: 0, skipped: [] });
    expect(status.error).toBeNull();

    const client = await imapClient(imap.port, dest);
    try {
      const inbox = await client.status('INBOX', { messages: true });
      if (inbox === false) throw new Error('STATUS INBOX failed');
      expect(inbox.messages).toBe(count);
      await client.mailboxOpen('INBOX', { readOnly: true });
      const last = await client.fetchOne('*', { envelope: true });
      expect(last ? last.envelope?.subject : undefined).toBe('later');
    } finally {
      await client.logout();
    }

    // The same file again: every message is already there.
    const again = await h.call('POST', '/v1/imports', { headers: destAuth, body: mbox });
    expect(again.status).toBe(202);
    expect(await finished(again.body.id)).toMatchObject({ status: 'done', imported: 0, duplicates: count });
    // Each job deleted its upload from this process's scratch directory when it ended.
    expect(await readdir(scratchDir(join(h.config.dataDir, 'tmp', 'imports')))).toEqual([]);
    // Another mailbox does not see this mailbox's imports.
    expect((await h.call('GET', `/v1/imports/${again.body.id}`, { headers: auth })).status).toBe(404);
  });

  test('an upload over api.importMaxBytes is 413, an account token 401', async () => {
    const destAuth = {
      authorization: `Basic ${Buffer.from(`${dest.address}:${dest.password}`).toString('base64')}`,
      'content-type': 'application/octet-stream',
    };
    const huge = await h.call('POST', '/v1/imports', { headers: destAuth, body: Buffer.alloc(IMPORT_MAX + 1, 65) });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/import/);
    const byToken = await h.call('POST', '/v1/imports', { token, body: 'From x' });
    expect(byToken.status).toBe(401);
  });

  test('an encrypted copy restores into another mailbox with the Mailyard-Copy-Password header', async () => {
    const exported = await fetch(`${h.base}/v1/export?format=sqlite`, { headers: auth });
    expect(exported.status).toBe(200);
    const copy = Buffer.from(await exported.arrayBuffer());
    const restoredAuth = {
      authorization: `Basic ${Buffer.from(`${restored.address}:${restored.password}`).toString('base64')}`,
      'content-type': 'application/octet-stream',
    };
    // Without the header the target's own password is tried: not the one the copy was made with.
    const refused = await h.call('POST', '/v1/imports', { headers: restoredAuth, body: copy });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/Mailyard-Copy-Password/);
    const wrong = await h.call('POST', '/v1/imports', {
      headers: { ...restoredAuth, 'mailyard-copy-password': 'not it' },
      body: copy,
    });
    expect(wrong.status).toBe(403);
    const posted = await h.call('POST', '/v1/imports', {
      headers: { ...restoredAuth, 'mailyard-copy-password': box.password },
      body: copy,
    });
    expect(posted.status).toBe(202);
    const status = await waitFor(async () => {
      const res = await h.call('GET', `/v1/imports/${posted.body.id}`, { headers: restoredAuth });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    }, 30_000);
    const snapshot = async (mailboxId: string, password: string) => {
      const session = await h.mailstore.open(mailboxId, password);
      try {
        return mailboxSnapshot(session);
      } finally {
        session.close();
      }
    };
    const want = await snapshot(box.mailboxId, box.password);
    expect(status).toMatchObject({ status: 'done', format: 'copy', imported: want.length, duplicates: 0, skipped: [] });
    expect(await snapshot(restored.mailboxId, restored.password)).toEqual(want);
  });

  test("exports are sealed on disk: no message text under tmp/exports, only this process's key reads them", async () => {
    const subject = 'Subject: sealed export check';
    await h.mailstore.deliver(
      box.mailboxId,
      Buffer.from(`From: a@${DOMAIN}\r\nTo: box@${DOMAIN}\r\n${subject}\r\nMessage-ID: <sealed@x>\r\n\r\nhi\r\n`),
    );
    for (const format of ['mbox', 'eml-zip']) {
      const res = await fetch(`${h.base}/v1/export?format=${format}`, { headers: auth });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBeGreaterThan(1000);
      if (format === 'mbox') expect(bytes.includes(subject)).toBe(true);
    }
    const files = await filesUnder(join(h.config.dataDir, 'tmp', 'exports'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const stored = readFileSync(file);
      expect(stored.includes(subject), file).toBe(false);
      expect(stored.includes('Message-ID:'), file).toBe(false);
      expect(stored.subarray(0, 5).toString('latin1'), file).not.toBe('From ');
    }
  });

  test('a zip export written for this request answers a Range without If-Range with the whole file', async () => {
    await h.mailstore.deliver(
      box.mailboxId,
      Buffer.from(`From: a@${DOMAIN}\r\nTo: box@${DOMAIN}\r\nSubject: zip range\r\nMessage-ID: <zr@x>\r\n\r\nhi\r\n`),
    );
    const first = await fetch(`${h.base}/v1/export?format=eml-zip`, { headers: { ...auth, range: 'bytes=10-' } });
    expect(first.status).toBe(200);
    const whole = Buffer.from(await first.arrayBuffer());
    expect(whole.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    // The same file, kept: now a range of it is the right range.
    const again = await fetch(`${h.base}/v1/export?format=eml-zip`, { headers: { ...auth, range: 'bytes=10-' } });
    expect(again.status).toBe(206);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(Buffer.compare(Buffer.from(await again.arrayBuffer()), whole.subarray(10))).toBe(0);
  });
});
