/**
 * MULTIAPPEND (RFC 3502) and CATENATE (RFC 4469) on the wire, after imaptest's catenate and
 * catenate-multiappend scripts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('appender');
  c = await loginWire(h.port, user.address, user.password);
});

afterAll(async () => {
  c?.close();
  await h?.close();
});

/** A non-synchronising literal (RFC 7888 LITERAL+). */
function lit(text: string): string {
  return `{${Buffer.byteLength(text)}+}\r\n${text}`;
}

async function body(uid: number, folder = 'INBOX'): Promise<string> {
  await c.command('X0', `EXAMINE ${folder}`);
  const reply = await c.command('X1', `UID FETCH ${uid} (BODY.PEEK[])`);
  const m = /BODY\[\] \{(\d+)\}\r\n/.exec(reply);
  if (!m) throw new Error(`no body in ${reply}`);
  const start = (m.index ?? 0) + m[0].length;
  return reply.slice(start, start + Number(m[1]));
}

describe('MULTIAPPEND (RFC 3502)', () => {
  test('several messages in one APPEND get consecutive UIDs in one APPENDUID', async () => {
    expect(await c.command('C0', 'CAPABILITY')).toMatch(/ MULTIAPPEND( |\r)/);
    const reply = await c.command(
      'M1',
      `APPEND INBOX (\\Seen) ${lit('Subject: one\r\n\r\nfirst\r\n')} ${lit('Subject: two\r\n\r\nsecond\r\n')}`,
    );
    expect(reply).toMatch(/^M1 OK \[APPENDUID \d+ 1:2\]/m);
    expect(await body(2)).toBe('Subject: two\r\n\r\nsecond\r\n');
  });

  test('all or nothing: a bad message among them stores none', async () => {
    const reply = await c.command('M2', `APPEND INBOX ${lit('Subject: three\r\n\r\nx\r\n')} (\\Bogus) ${lit('y')}`);
    expect(reply).toMatch(/^M2 BAD/m);
    expect(await c.command('M3', 'STATUS INBOX (MESSAGES)')).toMatch(/MESSAGES 2\)/);
  });
});

describe('CATENATE (RFC 4469)', () => {
  test('TEXT parts and URL parts of messages in this account', async () => {
    expect(await c.command('C1', 'CAPABILITY')).toMatch(/ CATENATE( |\r)/);
    const status = await c.command('U0', 'STATUS INBOX (UIDVALIDITY)');
    const uidValidity = /UIDVALIDITY (\d+)/.exec(status)?.[1];
    await c.command('U1', 'CREATE Built');
    const header = await c.command(
      'U2',
      `APPEND Built (\\Seen) CATENATE (URL "/INBOX;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=HEADER" TEXT ${lit('body1\r\n')})`,
    );
    expect(header).toMatch(/^U2 OK \[APPENDUID \d+ 1\]/m);
    expect(await body(1, 'Built')).toBe('Subject: one\r\n\r\nbody1\r\n');
    await c.command(
      'U3',
      `APPEND Built CATENATE (TEXT ${lit('Hdr: x\r\n\r\n')} URL "/INBOX/;uid=2/;section=text" URL "/INBOX/;uid=2/;partial=100000.1")`,
    );
    expect(await body(2, 'Built')).toBe('Hdr: x\r\n\r\nsecond\r\n');
  });

  test('MULTIAPPEND of CATENATE and literal messages together', async () => {
    const reply = await c.command(
      'U4',
      `APPEND Built CATENATE (URL "/INBOX/;uid=1/;section=header") ${lit('New: message\r\n\r\nbody4\r\n')}`,
    );
    expect(reply).toMatch(/^U4 OK \[APPENDUID \d+ 3:4\]/m);
    expect(await body(3, 'Built')).toBe('Subject: one\r\n\r\n');
  });

  test('a URL that names nothing is NO [BADURL], and nothing is stored; a missing target is NO [TRYCREATE]', async () => {
    const bad = await c.command(
      'U5',
      `APPEND Built CATENATE (TEXT ${lit('h: 1\r\n\r\n')} URL "/INBOX;UIDVALIDITY=12345/;UID=1/;SECTION=HEADER")`,
    );
    expect(bad).toMatch(/^U5 NO \[BADURL \/INBOX;UIDVALIDITY=12345\/;UID=1\/;SECTION=HEADER\]/m);
    expect(await c.command('U6', `APPEND Built CATENATE (URL "/INBOX/;uid=99")`)).toMatch(/^U6 NO \[BADURL/m);
    expect(await c.command('U7', 'STATUS Built (MESSAGES)')).toMatch(/MESSAGES 4\)/);
    expect(await c.command('U8', `APPEND Nowhere CATENATE (URL "/INBOX/;uid=1")`)).toMatch(/^U8 NO \[TRYCREATE\]/m);
  });
});
