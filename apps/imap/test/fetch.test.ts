/** FETCH data items (RFC 3501 §6.4.5) and CONDSTORE's MODSEQ / CHANGEDSINCE (RFC 7162 §3.1.4). */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fetchOne, type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let client: ImapFlow;
let wire: WireClient;

const MULTIPART = Buffer.from(
  [
    'From: "Ann Example" <ann@example.test>',
    'To: bob@example.test, "Carl" <carl@example.test>',
    'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
    'Date: Tue, 3 Nov 2026 09:00:00 +0100',
    'Message-ID: <multi@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    'preamble',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße aus Tallinn',
    '--b1',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAwQFBgcICQ==',
    '--b1--',
    '',
  ].join('\r\n'),
);

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('fetch');
  client = await h.client(user);
  await client.append('INBOX', MULTIPART);
  wire = await loginWire(h.port, user.address, user.password);
  await wire.command('S0', 'SELECT INBOX');
});
afterAll(async () => {
  wire?.close();
  await h?.close();
});

test('ENVELOPE, BODYSTRUCTURE, RFC822.SIZE, INTERNALDATE, UID, FLAGS through imapflow', async () => {
  await client.mailboxOpen('INBOX');
  const msg = await fetchOne(client, '1', {
    envelope: true,
    bodyStructure: true,
    size: true,
    internalDate: true,
    uid: true,
    flags: true,
  });
  expect(msg.envelope?.subject).toBe('Grüße');
  expect(msg.envelope?.from?.[0]).toMatchObject({ name: 'Ann Example', address: 'ann@example.test' });
  expect(msg.envelope?.to?.map((a) => a.address)).toEqual(['bob@example.test', 'carl@example.test']);
  expect(msg.envelope?.messageId).toBe('<multi@example.test>');
  expect(msg.size).toBe(MULTIPART.length);
  expect(msg.bodyStructure?.type).toBe('multipart/mixed');
  expect(msg.bodyStructure?.childNodes?.map((c) => c.type)).toEqual(['text/plain', 'application/octet-stream']);
  expect(msg.bodyStructure?.childNodes?.[1]?.dispositionParameters?.filename).toBe('data.bin');
});

test('BODY.PEEK[] is byte-identical and does not set \\Seen', async () => {
  const msg = await fetchOne(client, '1', { source: true, flags: true });
  expect(msg.source?.equals(MULTIPART)).toBe(true);
  expect(msg.flags?.has('\\Seen')).toBe(false);
});

test('BODY[section] and partial fetches', async () => {
  const reply = await wire.command(
    'F1',
    'FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<0.4>)',
  );
  expect(reply).toContain(
    'BODY[1] {19}\r\nGrüße aus Tallinn'.replace('Grüße', Buffer.from('Grüße').toString('binary')),
  );
  expect(reply).toMatch(/BODY\[2\.MIME\] \{\d+\}\r\nContent-Type: application\/octet-stream/);
  expect(reply).toContain('BODY[HEADER.FIELDS (SUBJECT)] {40}\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\n');
  expect(reply).toContain('BODY[]<0> {4}\r\nFrom');
  expect(reply).not.toMatch(/FLAGS/);
});

test('RFC822.HEADER, RFC822.TEXT and BODY (no extension data)', async () => {
  const reply = await wire.command('F2', 'FETCH 1 (RFC822.HEADER BODY)');
  const headerEnd = MULTIPART.indexOf('\r\n\r\n') + 4;
  expect(reply).toContain(`RFC822.HEADER {${headerEnd}}\r\nFrom: "Ann Example"`);
  expect(reply).toMatch(/BODY \(\("text" "plain" \("charset" "utf-8"\) NIL NIL "8bit" \d+ \d+\)/i);
  const text = await wire.command('F3', 'FETCH 1 (RFC822.TEXT)');
  expect(text).toContain(`RFC822.TEXT {${MULTIPART.length - headerEnd}}\r\npreamble`);
});

test('BODY[] without PEEK sets \\Seen and reports the new flags', async () => {
  const reply = await wire.command('F4', 'FETCH 1 (BODY[1])');
  expect(reply).toMatch(/FLAGS \(\\Seen( \\Recent)?\)/);
  await wire.command('F5', 'STORE 1 -FLAGS.SILENT (\\Seen)');
});

test('macros FAST, ALL and FULL', async () => {
  expect(await wire.command('F6', 'FETCH 1 FAST')).toMatch(
    /^\* 1 FETCH \(FLAGS \(.*\) INTERNALDATE "[^"]+" RFC822\.SIZE \d+\)/m,
  );
  expect(await wire.command('F7', 'FETCH 1 ALL')).toMatch(/ENVELOPE \(/);
  expect(await wire.command('F8', 'FETCH 1 FULL')).toMatch(/BODY \(/);
});

test('MODSEQ and CHANGEDSINCE, including CHANGEDSINCE 0', async () => {
  const before = await wire.command('M1', 'FETCH 1 (MODSEQ)');
  const modseq = Number(/MODSEQ \((\d+)\)/.exec(before)?.[1]);
  expect(modseq).toBeGreaterThan(0);
  expect(await wire.command('M2', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`)).not.toMatch(/FETCH \(/);
  const all = await wire.command('M3', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)');
  expect(all).toMatch(/^\* 1 FETCH \(.*MODSEQ \(\d+\)/m);
  expect(all).toMatch(/^\* 1 FETCH \(.*UID 1/m);
  await wire.command('M4', 'STORE 1 +FLAGS.SILENT (\\Answered)');
  expect(await wire.command('M5', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`)).toMatch(/\\Answered/);
});

test('listing-only items (written as bytes) read the same as through the general path', async () => {
  const user2 = await h.addUser('fetchlisting');
  const appender = await h.client(user2);
  for (let i = 0; i < 5; i++) await appender.append('INBOX', MULTIPART);
  await appender.logout();
  const other = await loginWire(h.port, user2.address, user2.password);
  try {
    await other.command('L0', 'SELECT INBOX');
    await other.command('L1', 'STORE 2,4 +FLAGS.SILENT (\\Flagged $Label1 Keyword2)');
    await other.command('L2', 'STORE 3 +FLAGS.SILENT (\\Seen)');
    const items = 'UID FLAGS RFC822.SIZE INTERNALDATE MODSEQ';
    const lines = (reply: string) => reply.split('\r\n').filter((line) => line.includes(' FETCH ('));
    const fast = lines(await other.command('L3', `FETCH 1:* (${items})`));
    // A BODY.PEEK item makes the command take the general path; its part is cut off to compare the rest.
    const general = lines(await other.command('L4', `FETCH 1:* (${items} BODY.PEEK[HEADER.FIELDS (X-NONE)])`)).map(
      (line) => line.replace(/ BODY\[HEADER\.FIELDS \(X-NONE\)\] \{2\}$/, ')'),
    );
    expect(fast).toHaveLength(5);
    expect(fast).toEqual(general);
    expect(fast[1]).toMatch(
      /^\* 2 FETCH \(UID 2 FLAGS \((?=.*\\Flagged)(?=.*\$Label1)(?=.*Keyword2)[^)]*\) RFC822\.SIZE \d+ /,
    );
    // UID FETCH of a sparse set: sequence numbers found by walking the view beside the UIDs.
    const sparse = lines(await other.command('L5', 'UID FETCH 2,5 (FLAGS)'));
    expect(sparse.map((line) => /^\* (\d+) FETCH \(UID (\d+) /.exec(line)?.slice(1))).toEqual([
      ['2', '2'],
      ['5', '5'],
    ]);
  } finally {
    other.close();
  }
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
