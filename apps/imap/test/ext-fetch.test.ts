/**
 * FETCH items of extensions on the wire: BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516), PREVIEW (RFC 8970),
 * EMAILID and THREADID (RFC 8474), SAVEDATE (RFC 8514), and APPEND of a literal8 (RFC 3516 §4.4).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;

const crlf = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

const ENCODED = crlf(
  'From: a@x.test\nSubject: parts\nMessage-ID: <parts@x.test>\nContent-Type: multipart/mixed; boundary=b\n\n' +
    '--b\nContent-Transfer-Encoding: base64\n\naGVsbG8g\nd29ybGQ=\n' +
    '--b\nContent-Transfer-Encoding: quoted-printable\n\nhello =\nto you too\n' +
    '--b\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n' +
    '--b\nContent-Transfer-Encoding: base64\n\nAGFiYw==\n--b--\n',
);

const PLAIN = crlf(
  'From: b@x.test\nSubject: Re: parts\nReferences: <parts@x.test>\nContent-Type: text/plain; charset=utf-8\n\n' +
    'Caf\u00c3\u00a9   tonight?\n\nBring the   wine.\n',
);

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('fetcher');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  await s.append('INBOX', ENCODED, { internalDate: new Date('2001-01-01T00:00:00Z') });
  await s.append('INBOX', PLAIN);
  s.close();
  c = await loginWire(h.port, user.address, user.password);
  await c.command('S0', 'SELECT INBOX');
});

afterAll(async () => {
  c?.close();
  await h?.close();
});

describe('BINARY (RFC 3516)', () => {
  test('CAPABILITY announces BINARY', async () => {
    expect(await c.command('C0', 'CAPABILITY')).toMatch(/ BINARY( |\r)/);
  });

  test('decoded parts, sizes, partial ranges over the decoded bytes', async () => {
    const reply = await c.command('B1', 'FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[1] BINARY.SIZE[2])');
    expect(reply).toContain('BINARY[1] {11}\r\nhello world');
    expect(reply).toContain('BINARY[2] {16}\r\nhello to you too');
    expect(reply).toContain('BINARY.SIZE[1] 11');
    expect(reply).toContain('BINARY.SIZE[2] 16');
    expect(await c.command('B2', 'FETCH 1 (BINARY.PEEK[1]<6.5>)')).toContain('BINARY[1]<6> {5}\r\nworld');
  });

  test('content with NUL comes as literal8', async () => {
    const reply = await c.command('B3', 'FETCH 1 (BINARY.PEEK[4])');
    expect(reply).toContain('BINARY[4] ~{4}\r\n\0abc');
  });

  test('an unknown transfer encoding is NO [UNKNOWN-CTE]', async () => {
    expect(await c.command('B4', 'FETCH 1 (BINARY.PEEK[3])')).toMatch(/^B4 NO \[UNKNOWN-CTE\]/m);
  });

  test('BINARY[] without PEEK sets \\Seen; BINARY.PEEK does not', async () => {
    const peek = await c.command('B5', 'FETCH 2 (BINARY.PEEK[1] FLAGS)');
    expect(peek).toMatch(/FLAGS \(/);
    expect(peek).not.toMatch(/\\Seen/);
    const seen = await c.command('B6', 'FETCH 2 (BINARY[1])');
    expect(seen).toMatch(/\\Seen/);
  });

  test('APPEND takes a literal8 (RFC 3516 §4.4)', async () => {
    const raw = crlf('Subject: bin\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n');
    const body = Buffer.concat([raw, Buffer.from([0, 1, 2, 255, 13, 10])]);
    c.send(Buffer.concat([Buffer.from(`A1 APPEND INBOX ~{${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
    const reply = await c.readUntil(/^A1 (OK|NO|BAD)/);
    expect(reply).toMatch(/^A1 OK \[APPENDUID \d+ 3\]/m);
    const fetched = await c.command('A2', 'UID FETCH 3 (BINARY.PEEK[1])');
    expect(fetched).toContain('BINARY[1] ~{6}\r\n\0\x01\x02\xff\r\n');
  });
});

describe('PREVIEW (RFC 8970)', () => {
  test('plain text of the body, whitespace collapsed', async () => {
    expect(await c.command('C1', 'CAPABILITY')).toMatch(/ PREVIEW( |\r)/);
    const reply = await c.command('P1', 'FETCH 1:2 (PREVIEW)');
    expect(reply).toContain('* 1 FETCH (PREVIEW "hello world")');
    // non-ASCII text comes as a literal of UTF-8 bytes (a quoted string is 7-bit before UTF8=ACCEPT)
    expect(reply).toContain('* 2 FETCH (PREVIEW {30}\r\nCaf\u00c3\u00a9 tonight? Bring the wine.)');
  });

  test('PREVIEW (LAZY) answers the same (RFC 8970 §3.1); another modifier is BAD', async () => {
    expect(await c.command('P2', 'FETCH 1 (UID PREVIEW (LAZY))')).toContain('* 1 FETCH (UID 1 PREVIEW "hello world")');
    expect(await c.command('P3', 'FETCH 1 (PREVIEW (EAGER))')).toMatch(/^P3 BAD/m);
    expect(await c.command('P4', 'FETCH 1 ((LAZY))')).toMatch(/^P4 BAD/m);
  });
});

describe('OBJECTID (RFC 8474) and SAVEDATE (RFC 8514)', () => {
  test('EMAILID and THREADID; a reply shares its thread; MAILBOXID in SELECT and STATUS', async () => {
    expect(await c.command('C2', 'CAPABILITY')).toMatch(/ OBJECTID( |\r)/);
    const reply = await c.command('O1', 'FETCH 1:2 (EMAILID THREADID)');
    const ids = [...reply.matchAll(/EMAILID \(([\w-]+)\) THREADID \(([\w-]+)\)/g)];
    expect(ids).toHaveLength(2);
    expect(ids[0]?.[1]).not.toBe(ids[1]?.[1]);
    expect(ids[0]?.[2]).toBe(ids[1]?.[2]);
    const select = await c.command('O2', 'SELECT INBOX');
    const mailboxId = /^\* OK \[MAILBOXID \(([\w-]+)\)\]/m.exec(select)?.[1];
    expect(mailboxId).toBeTruthy();
    expect(await c.command('O3', 'STATUS INBOX (MAILBOXID)')).toContain(`(MAILBOXID (${mailboxId}))`);
  });

  test('SAVEDATE is when the message was stored, not its internal date', async () => {
    expect(await c.command('C3', 'CAPABILITY')).toMatch(/ SAVEDATE( |\r)/);
    const reply = await c.command('D1', 'FETCH 1 (INTERNALDATE SAVEDATE)');
    expect(reply).toContain('INTERNALDATE " 1-Jan-2001 00:00:00 +0000"');
    const year = new Date().getUTCFullYear();
    expect(reply).toMatch(new RegExp(`SAVEDATE "[ \\d]\\d-\\w{3}-${year} \\d\\d:\\d\\d:\\d\\d \\+0000"`));
  });
});
