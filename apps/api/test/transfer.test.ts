/**
 * GET /v1/export over real HTTP with curl as the client: an mbox download, a truncated copy resumed with `curl -C -`
 * (a Range request) that ends byte-identical to the full download, If-Range with a stale ETag (the whole file),
 * an unsatisfiable range (416), an eml-zip download, and the refusals: an account token (401) and an unknown
 * format (400).
 */
import { execFile } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { corpusMessages, requireTool, tempDir } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const DOMAIN = 'mail.example';
const run = promisify(execFile);

describe('mailbox export over HTTP', () => {
  let h: Harness;
  let token: string;
  let work: { path: string; cleanup(): Promise<void> };
  const box = { address: `box@${DOMAIN}`, password: '', mailboxId: '' };
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    work = await tempDir('mailyard-export-');
    token = await h.signUp(`owner@${DOMAIN}`);
    expect((await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } })).status).toBe(201);
    await h.call('POST', `/v1/domains/${DOMAIN}/aliases`, { token, json: { name: 'box', has_imap: true } });
    const issued = await h.call('POST', `/v1/domains/${DOMAIN}/aliases/box/generate-password`, { token });
    box.password = issued.body.password;
    const domain = await h.control.findDomainByName(DOMAIN);
    box.mailboxId = (await h.control.findAlias(domain?.id ?? '', 'box'))?.mailboxId ?? '';
    auth = { authorization: `Basic ${Buffer.from(`${box.address}:${box.password}`).toString('base64')}` };
    const corpus = corpusMessages().slice(0, 40);
    expect(corpus.length).toBeGreaterThan(0);
    for (const path of corpus) await h.mailstore.deliver(box.mailboxId, readFileSync(path));
  });

  afterAll(async () => {
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
});
