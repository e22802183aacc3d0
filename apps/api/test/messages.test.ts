/**
 * /v1/messages and /v1/folders over real HTTP, beside a real IMAP server whose mail store is a second Mailstore on
 * the same data dir (as the imap process has its own): mail delivered into the spool is read over HTTP and over
 * IMAP (imapflow) and the bytes compared; a flag set over HTTP reaches an IDLE IMAP session as FETCH FLAGS; folder
 * and message changes over HTTP are what IMAP sees, and what a POP3 server (a third mail store) lists and retrieves. Every 2xx JSON reply is checked against the OpenAPI document
 * by the harness. Bad input and cross-tenant access: token auth (401), other mailboxes' ids (404), unknown
 * folders (404), malformed JSON and non-RFC 5322 uploads (400 with the reason), an over-size upload (413 before
 * its bytes are read). Repeat requests run no KDF.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { kdfRunCount } from '@mailyard/mailstore';
import { corpusMessages, requireTool, spamSamples, waitFor } from '@mailyard/testkit';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { imapClient as connectImap, type ImapBeside, startImapBeside, startPop3Beside } from './imap-beside.js';

const DOMAIN = 'mail.example';
const mailboxAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** STATUS (MESSAGES) of a folder over IMAP; fails the test when the server refuses it. */
async function messageCount(client: ImapFlow, path: string): Promise<number | undefined> {
  const status = await client.status(path, { messages: true });
  if (!status) throw new Error(`no STATUS for ${path}`);
  return status.messages;
}

function simpleMessage(subject: string, body = 'Hello there.'): Buffer {
  return Buffer.from(
    [
      `From: Sender <sender@${DOMAIN}>`,
      `To: box@${DOMAIN}`,
      `Subject: ${subject}`,
      'Date: Mon, 2 Nov 2026 10:00:00 +0000',
      `Message-ID: <${subject.replace(/\W/g, '')}@${DOMAIN}>`,
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

describe('mail over HTTP', () => {
  let h: Harness;
  let imap: ImapBeside;
  let pop3: ImapBeside;
  let token: string;
  const box = { address: `box@${DOMAIN}`, password: '', mailboxId: '' };
  const other = { address: `other@${DOMAIN}`, password: '', mailboxId: '' };
  const clients: ImapFlow[] = [];
  let auth: Record<string, string>;

  async function imapClient(user: { address: string; password: string }): Promise<ImapFlow> {
    const client = await connectImap(imap.port, user);
    clients.push(client);
    return client;
  }

  /** The raw bytes of GET /v1/messages/:id?eml=true (not JSON, so not through h.call). */
  async function eml(id: string, headers = auth): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const res = await fetch(`${h.base}/v1/messages/${id}?eml=true`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async function newestId(folder = 'INBOX'): Promise<string> {
    const list = await h.call('GET', `/v1/messages?folder=${encodeURIComponent(folder)}&limit=1`, { headers: auth });
    expect(list.status).toBe(200);
    return list.body[0].id;
  }

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp(`owner@${DOMAIN}`);
    expect((await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } })).status).toBe(201);
    for (const user of [box, other]) {
      const name = user.address.split('@')[0];
      await h.call('POST', `/v1/domains/${DOMAIN}/aliases`, { token, json: { name, has_imap: true } });
      const issued = await h.call('POST', `/v1/domains/${DOMAIN}/aliases/${name}/generate-password`, { token });
      user.password = issued.body.password;
      const domain = await h.control.findDomainByName(DOMAIN);
      user.mailboxId = (await h.control.findAlias(domain?.id ?? '', name ?? ''))?.mailboxId ?? '';
    }
    auth = mailboxAuth(box.address, box.password);
    // The IMAP server of this test is another "process": its own mail store on the same data dir; and a POP3
    // server, a third "process" with a mail store of its own.
    imap = await startImapBeside(h, { notifyPollMs: 50 });
    pop3 = await startPop3Beside(h, { notifyPollMs: 50 });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
    await imap?.close();
    await pop3?.close();
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('a delivered message reads the same over HTTP (?eml=true) and over IMAP BODY[]', async () => {
    const [path] = corpusMessages();
    const raw = path ? readFileSync(path) : simpleMessage('corpus unavailable');
    await h.mailstore.deliver(box.mailboxId, raw);
    const list = await h.call('GET', '/v1/messages?folder=INBOX', { headers: auth });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-item-count')).toBe('1');
    const [item] = list.body;
    expect(item.id).toMatch(/^M[0-9a-f]{24}$/);
    expect(item.folder).toBe('INBOX');
    expect(item.is_unread).toBe(true);

    const http = await eml(item.id);
    expect(http.status).toBe(200);
    expect(http.type).toBe('message/rfc822');
    const client = await imapClient(box);
    await client.mailboxOpen('INBOX', { readOnly: true });
    const fetched = await client.fetchOne(String(item.uid), { source: true, emailId: true }, { uid: true });
    if (!fetched) throw new Error('IMAP has no such message');
    expect(fetched.emailId).toBe(item.id);
    expect(Buffer.compare(fetched.source ?? Buffer.alloc(0), http.bytes)).toBe(0);
    expect(Buffer.compare(http.bytes, raw)).toBe(0);
    await client.mailboxClose();

    const json = await h.call('GET', `/v1/messages/${item.id}`, { headers: auth });
    expect(json.status).toBe(200);
    expect(json.body.id).toBe(item.id);
    expect(json.body.headers.length).toBeGreaterThan(0);
    expect(json.body.text ?? json.body.html).toBeTruthy();
  });

  test('a flag set over HTTP reaches an IDLE IMAP session as FETCH FLAGS', async () => {
    await h.mailstore.deliver(box.mailboxId, simpleMessage('flag me'));
    const id = await newestId();
    const client = await imapClient(box);
    await client.mailboxOpen('INBOX');
    const seen: Array<{ seq?: number; flags?: Set<string> }> = [];
    client.on('flags', (event) => seen.push(event));
    const idling = client.idle();
    const put = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { flags: ['\\Flagged', '\\Seen'] } });
    expect(put.status).toBe(200);
    expect(put.body.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
    const event = await waitFor(() => seen.find((e) => e.flags?.has('\\Flagged')), 5_000);
    // An unsolicited FETCH names the message by number; nothing was expunged from INBOX, so it equals the UID.
    expect(event.seq).toBe(put.body.uid);
    expect([...(event.flags ?? [])]).toContain('\\Seen');
    await client.noop();
    await idling.catch(() => undefined);
    await client.mailboxClose();

    const flagged = await h.call('GET', '/v1/messages?flagged=true&subject=flag', { headers: auth });
    expect(flagged.body.map((m: { id: string }) => m.id)).toEqual([id]);
    const unread = await h.call('GET', '/v1/messages?unread=true', { headers: auth });
    expect(unread.body.map((m: { id: string }) => m.id)).not.toContain(id);
  });

  test('list filters, full-text search and paging headers', async () => {
    for (let i = 0; i < 5; i++) {
      await h.mailstore.deliver(box.mailboxId, simpleMessage(`paging ${i}`, `body words zebra${i}`));
    }
    const page = await h.call('GET', '/v1/messages?subject=paging&limit=2&page=2', { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-item-count')).toBe('5');
    expect(page.headers.get('x-page-count')).toBe('3');
    expect(page.body.map((m: { subject: string }) => m.subject)).toEqual(['paging 2', 'paging 1']);
    expect(page.headers.get('link')).toContain('rel="next"');
    const text = await h.call('GET', '/v1/messages?text=zebra3', { headers: auth });
    expect(text.body.map((m: { subject: string }) => m.subject)).toEqual(['paging 3']);
    const from = await h.call('GET', `/v1/messages?from=sender@${DOMAIN}&since=2000-01-01&before=2999-01-01`, {
      headers: auth,
    });
    expect(from.body.length).toBeGreaterThanOrEqual(5);
    expect((await h.call('GET', '/v1/messages?since=yesterday', { headers: auth })).status).toBe(400);
  });

  test('folders: create, list with counts, rename keeps the id, copy, delete; IMAP sees each change', async () => {
    const created = await h.call('POST', '/v1/folders', { headers: auth, json: { path: 'Projects' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ path: 'Projects', messages: 0, special_use: null });
    expect(created.body.id).toMatch(/^F[0-9a-f]{24}$/);
    const list = await h.call('GET', '/v1/folders', { headers: auth });
    const inbox = list.body.find((f: { path: string }) => f.path === 'INBOX');
    expect(inbox.messages).toBeGreaterThan(0);
    expect(list.body.map((f: { path: string }) => f.path)).toContain('Trash');

    const renamed = await h.call('PUT', `/v1/folders/${created.body.id}`, { headers: auth, json: { path: 'Work' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.body.id, path: 'Work' });
    expect((await h.call('GET', '/v1/folders/Work', { headers: auth })).body.id).toBe(created.body.id);

    const [newer, older] = (await h.call('GET', '/v1/messages?limit=2', { headers: auth })).body;
    const id = newer.id;
    const ids = [id, older.id, id];
    const copy = await h.call('POST', `/v1/folders/${created.body.id}/copy`, { headers: auth, json: { ids } });
    expect(copy.status).toBe(200);
    expect(copy.body.folder.messages).toBe(2);
    // One COPY in UID order: the older message gets UID 1 in Work, the newer UID 2; the repeated id is copied once.
    expect(copy.body.copied).toEqual([
      { id, uid: 2 },
      { id: older.id, uid: 1 },
    ]);
    const client = await imapClient(box);
    expect(await messageCount(client, 'Work')).toBe(2);
    const copied = await h.call('GET', `/v1/messages/${id}?folder=Work`, { headers: auth });
    expect(copied.body.folder).toBe('Work');

    expect((await h.call('DELETE', '/v1/folders/Work', { headers: auth })).status).toBe(204);
    expect((await h.call('GET', `/v1/folders/${created.body.id}`, { headers: auth })).status).toBe(404);
    const names = (await client.list()).map((f) => f.path);
    expect(names).not.toContain('Work');
    expect((await h.call('DELETE', '/v1/folders/INBOX', { headers: auth })).status).toBe(400);
    expect((await h.call('POST', '/v1/folders', { headers: auth, json: { path: 'Trash' } })).status).toBe(409);
  });

  test('move, delete to Trash, expunge: over HTTP, seen over IMAP', async () => {
    await h.mailstore.deliver(box.mailboxId, simpleMessage('move me'));
    const id = await newestId();
    const moved = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { folder: 'Archive' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id, folder: 'Archive' });
    const client = await imapClient(box);
    await client.mailboxOpen('Archive');
    const inArchive = await client.fetchOne('*', { emailId: true, envelope: true });
    expect(inArchive ? inArchive.emailId : null).toBe(id);
    await client.mailboxClose();

    expect((await h.call('DELETE', `/v1/messages/${id}`, { headers: auth })).status).toBe(204);
    const inTrash = await h.call('GET', `/v1/messages/${id}`, { headers: auth });
    expect(inTrash.body.folder).toBe('Trash');
    expect(await messageCount(client, 'Archive')).toBe(0);
    expect((await h.call('DELETE', `/v1/messages/${id}?expunge=true`, { headers: auth })).status).toBe(204);
    expect((await h.call('GET', `/v1/messages/${id}`, { headers: auth })).status).toBe(404);
    expect(await messageCount(client, 'Trash')).toBe(0);
  });

  test('spam learning: a move into Junk over HTTP trains spam and a move out trains ham, as IMAP MOVE does; an upload into Junk trains spam', async () => {
    const learned = async () => {
      const session = await h.mailstore.open(box.mailboxId, box.password);
      try {
        return session.spamLearning();
      } finally {
        session.close();
      }
    };
    const before = await learned();
    const [spam, uploaded] = spamSamples(2, 900) as [Buffer, Buffer];
    await h.mailstore.deliver(box.mailboxId, spam);
    const id = await newestId();
    const toJunk = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { folder: 'Junk' } });
    expect(toJunk.body).toMatchObject({ id, folder: 'Junk' });
    expect(await learned()).toMatchObject({ trainedSpam: before.trainedSpam + 1, trainedHam: before.trainedHam });
    const back = await h.call('PUT', `/v1/messages/${id}?folder=Junk`, { headers: auth, json: { folder: 'INBOX' } });
    expect(back.status).toBe(200);
    expect(await learned()).toMatchObject({ trainedSpam: before.trainedSpam, trainedHam: before.trainedHam + 1 });
    const res = await fetch(`${h.base}/v1/messages?folder=Junk`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      body: uploaded,
    });
    expect(res.status).toBe(201);
    expect(await learned()).toMatchObject({ trainedSpam: before.trainedSpam + 1, trainedHam: before.trainedHam + 1 });
  });

  test('create: a raw message/rfc822 upload and a JSON message; IMAP sees both', async () => {
    const raw = simpleMessage('uploaded raw');
    const res = await fetch(`${h.base}/v1/messages?folder=Drafts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; folder: string; uid: number };
    expect(created.folder).toBe('Drafts');
    expect(Buffer.compare((await eml(created.id)).bytes, raw)).toBe(0);

    const attachment = Buffer.from('%PDF-1.4 pretend');
    const json = await h.call('POST', '/v1/messages', {
      headers: auth,
      json: {
        folder: 'Drafts',
        flags: ['\\Draft'],
        keywords: ['$Label1'],
        from: `Box <${box.address}>`,
        to: ['friend@elsewhere.example'],
        subject: 'composed über JSON',
        text: 'plain words',
        html: '<p>html words</p>',
        attachments: [{ filename: 'a.pdf', content: attachment.toString('base64'), content_type: 'application/pdf' }],
      },
    });
    expect(json.status).toBe(201);
    expect(json.body).toMatchObject({ folder: 'Drafts', subject: 'composed über JSON', keywords: ['$Label1'] });
    expect(json.body.flags).toContain('\\Draft');
    const full = await h.call('GET', `/v1/messages/${json.body.id}`, { headers: auth });
    expect(full.body.text.trim()).toBe('plain words');
    expect(full.body.html).toContain('html words');
    expect(full.body.attachments).toEqual([
      expect.objectContaining({ filename: 'a.pdf', content_type: 'application/pdf', size: attachment.length }),
    ]);
    const client = await imapClient(box);
    expect(await messageCount(client, 'Drafts')).toBe(2);
  });

  test('bad input: malformed JSON, not RFC 5322, unknown folder, over-size upload', async () => {
    const malformed = await h.call('POST', '/v1/messages', {
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"subject": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/JSON/);

    const notMail = await fetch(`${h.base}/v1/messages`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      body: 'just some words\r\nand more\r\n',
    });
    expect(notMail.status).toBe(400);
    expect(((await notMail.json()) as { message: string }).message).toMatch(
      /not an RFC 5322 message: header line 1 is not a header field/,
    );
    const empty = await h.call('POST', '/v1/messages', { headers: auth, json: { raw: '\r\nbody only' } });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/no header fields/);

    expect((await h.call('GET', '/v1/messages?folder=Nowhere', { headers: auth })).status).toBe(404);
    expect((await h.call('GET', '/v1/folders/Nowhere', { headers: auth })).status).toBe(404);
    const id = await newestId();
    const badMove = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { folder: 'Nowhere' } });
    expect(badMove.status).toBe(404);
    const unknownField = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { flagz: [] } });
    expect(unknownField.status).toBe(400);
    const badFlag = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { flags: ['\\Recent'] } });
    expect(badFlag.status).toBe(400);

    // Declared far over smtp.maxMessageSize: refused before any byte is read (nothing reserved from the budget).
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/v1/messages`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'message/rfc822',
          'content-length': String(h.config.smtp.maxMessageSize + 1),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('From: a@b\r\n');
    });
    expect(status).toBe(413);
  });

  test("cross-tenant: tokens never read mail, another mailbox's ids are 404, wrong passwords 401", async () => {
    const id = await newestId();
    for (const path of ['/v1/messages', `/v1/messages/${id}`, '/v1/folders']) {
      const res = await h.call('GET', path, { token });
      expect(res.status, path).toBe(401);
      expect(res.body.message).toMatch(/account tokens never read mail/);
      expect((await h.call('GET', path)).status).toBe(401);
    }
    const otherAuth = mailboxAuth(other.address, other.password);
    expect((await h.call('GET', `/v1/messages/${id}`, { headers: otherAuth })).status).toBe(404);
    expect((await eml(id, otherAuth)).status).toBe(404);
    const put = await h.call('PUT', `/v1/messages/${id}`, { headers: otherAuth, json: { flags: [] } });
    expect(put.status).toBe(404);
    expect((await h.call('DELETE', `/v1/messages/${id}`, { headers: otherAuth })).status).toBe(404);
    const folders = await h.call('GET', '/v1/folders', { headers: auth });
    const boxInbox = folders.body.find((f: { path: string }) => f.path === 'INBOX').id;
    expect((await h.call('GET', `/v1/folders/${boxInbox}`, { headers: otherAuth })).status).toBe(404);
    const copy = await h.call('POST', '/v1/folders/INBOX/copy', { headers: otherAuth, json: { ids: [id] } });
    expect(copy.status).toBe(404);
    expect((await h.call('GET', '/v1/messages', { headers: otherAuth })).body).toEqual([]);
    const wrong = await h.call('GET', '/v1/messages', { headers: mailboxAuth(box.address, 'wrong password') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const exposition = await (await fetch(`${h.base}/metrics`)).text();
    expect(exposition).toMatch(/mailyard_auth_failures_total\{[^}]*protocol="api"[^}]*\} [1-9]/);
  });

  test('repeat requests run no KDF: neither the password check nor the mailbox unlock', async () => {
    const verify = h.control.verifyMailboxPassword.bind(h.control);
    let checks = 0;
    h.control.verifyMailboxPassword = (address, password) => {
      checks++;
      return verify(address, password);
    };
    try {
      const runs = kdfRunCount({ N: 1024, r: 8, p: 1 });
      for (let i = 0; i < 5; i++) expect((await h.call('GET', '/v1/folders', { headers: auth })).status).toBe(200);
      expect(checks).toBe(0);
      expect(kdfRunCount({ N: 1024, r: 8, p: 1 })).toBe(runs);
    } finally {
      h.control.verifyMailboxPassword = verify;
    }
  });

  test('a changed mailbox password or a disabled alias stops working at once', async () => {
    const oldAuth = mailboxAuth(other.address, other.password);
    expect((await h.call('GET', '/v1/folders', { headers: oldAuth })).status).toBe(200);
    const changed = await h.call('POST', `/v1/domains/${DOMAIN}/aliases/other/generate-password`, {
      token,
      json: { password: other.password, new_password: 'a brand new password' },
    });
    expect(changed.status).toBe(200);
    expect((await h.call('GET', '/v1/folders', { headers: oldAuth })).status).toBe(401);
    const newAuth = mailboxAuth(other.address, 'a brand new password');
    expect((await h.call('GET', '/v1/folders', { headers: newAuth })).status).toBe(200);
    const off = await h.call('PUT', `/v1/domains/${DOMAIN}/aliases/other`, { token, json: { is_enabled: false } });
    expect(off.status).toBe(200);
    expect((await h.call('GET', '/v1/folders', { headers: newAuth })).status).toBe(401);
  });

  test('a streamed upload (no Content-Length) is cut off with 413 once it passes the size limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/v1/messages`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'message/rfc822', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent <= h.config.smtp.maxMessageSize && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      req.write('From: a@b.example\r\n\r\n');
      pump();
    });
    expect(status).toBe(413);
    expect((await h.call('GET', '/v1/folders/INBOX', { headers: auth })).status).toBe(200);
  });

  test('a message stored and then expunged over HTTP is what POP3 (curl pop3://) lists and retrieves', async () => {
    if (!requireTool('curl')) return;
    const run = promisify(execFile);
    const pop3Url = `pop3://127.0.0.1:${pop3.port}/`;
    const popList = async () => {
      const { stdout } = await run('curl', [
        '-sS',
        '--max-time',
        '20',
        '-u',
        `${box.address}:${box.password}`,
        pop3Url,
      ]);
      return stdout.split('\r\n').filter(Boolean);
    };
    const raw = simpleMessage('for pop3');
    const res = await fetch(`${h.base}/v1/messages?folder=INBOX`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const listed = await popList();
    // POP3 lists INBOX in UID order: the message just stored is the last one.
    expect(listed.at(-1)).toBe(`${listed.length} ${raw.length}`);
    const { stdout } = await run(
      'curl',
      ['-sS', '--max-time', '20', '-u', `${box.address}:${box.password}`, `${pop3Url}${listed.length}`],
      { encoding: 'buffer' },
    );
    expect(Buffer.compare(stdout, raw)).toBe(0);
    expect((await h.call('DELETE', `/v1/messages/${id}?expunge=true`, { headers: auth })).status).toBe(204);
    expect(await popList()).toEqual(listed.slice(0, -1));
  });

  test('curl as the client: list folders and fetch a raw message', async () => {
    if (!requireTool('curl')) return;
    const run = promisify(execFile);
    const user = `${box.address}:${box.password}`;
    const { stdout } = await run('curl', ['-sS', '--fail', '-u', user, `${h.base}/v1/folders`]);
    const folders = JSON.parse(stdout) as Array<{ path: string }>;
    expect(folders.map((f) => f.path)).toContain('INBOX');
    const id = await newestId();
    const raw = await run('curl', ['-sS', '--fail', '-u', user, `${h.base}/v1/messages/${id}?eml=true`], {
      encoding: 'buffer',
    });
    expect(Buffer.compare(raw.stdout, (await eml(id)).bytes)).toBe(0);
    const denied = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-u',
      `${token}:`,
      `${h.base}/v1/messages`,
    ]);
    expect(denied.stdout).toBe('401');
  });
});
