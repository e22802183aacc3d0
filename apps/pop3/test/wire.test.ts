/**
 * POP3 on the wire: tables of exact client lines and the replies they must get, run in order on one connection
 * (a later row passing proves the session survived the earlier ones), then the RFC 1939 §6 UPDATE rules.
 */
import type { ChangeEvent } from '@mailyard/mailstore';
import { expectCodeBugs, waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ADDRESS, MAILBOX_ID, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

type Row = [send: string, expected: RegExp, multiline?: 'multi'];

async function runTable(wire: Pop3Wire, rows: Row[]): Promise<void> {
  for (const [send, expected, multiline] of rows) {
    const reply = await wire.command(send, multiline === 'multi');
    expect({ send, reply }).toEqual({ send, reply: expect.stringMatching(expected) });
  }
}

async function login(f: Pop3Fixture): Promise<Pop3Wire> {
  const wire = await Pop3Wire.connect(f.port);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop has \d+ messages? \(\d+ octets\)\r\n$/);
  return wire;
}

const FIRST = message('first');
const SECOND = message('second', '.starts with a dot\r\n..two dots\r\nplain\r\n.\r\n');
const THIRD = message('third', 'line 1\r\nline 2\r\n');
const TOTAL = FIRST.length + SECOND.length + THIRD.length;

let f: Pop3Fixture;
beforeEach(async () => {
  f = await startPop3();
  for (const raw of [FIRST, SECOND, THIRD]) await f.deliver(raw);
});
afterEach(async () => {
  expect(f.codeBugs()).toEqual([]);
  await f.close();
});

describe('AUTHORIZATION state', () => {
  test('wrong-state, unknown and malformed commands get -ERR and the session goes on (RFC 1939 §3, §4)', async () => {
    const wire = await Pop3Wire.connect(f.port);
    expect(wire.greeting).toMatch(/^\+OK Mailyard POP3 ready/);
    await runTable(wire, [
      ['STAT', /^-ERR /],
      ['LIST', /^-ERR /],
      ['UIDL', /^-ERR /],
      ['RETR 1', /^-ERR /],
      ['TOP 1 0', /^-ERR /],
      ['DELE 1', /^-ERR /],
      ['RSET', /^-ERR /],
      ['NOOP', /^-ERR /],
      ['LAST', /^-ERR unknown command\r\n$/],
      ['XYZZY 1 2', /^-ERR unknown command\r\n$/],
      ['', /^-ERR unknown command\r\n$/],
      ['PASS without-user', /^-ERR malformed command\r\n$/],
      ['USER', /^-ERR /],
      ['AUTH CRAM-MD5', /^-ERR unsupported SASL mechanism\r\n$/],
      ['AUTH PLAIN !!!', /^-ERR malformed command\r\n$/],
      ['CAPA', /^\+OK.*\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nSASL PLAIN\r\nPIPELINING\r\nSTLS\r\n\.\r\n$/s, 'multi'],
      [`USER ${ADDRESS}`, /^\+OK/],
      ['PASS wrong password', /^-ERR \[AUTH\] Invalid user name or password\r\n$/],
      ['USER nobody@example.test', /^\+OK/],
      [`PASS ${PASSWORD}`, /^-ERR \[AUTH\] /],
      [`USER ${ADDRESS.toUpperCase()}`, /^\+OK/],
      [`PASS ${PASSWORD}`, new RegExp(`^\\+OK maildrop has 3 messages \\(${TOTAL} octets\\)\\r\\n$`)],
      ['USER again', /^-ERR Command not accepted/],
      ['QUIT', /^\+OK Bye\r\n$/],
    ]);
    await wire.waitClosed();
    await waitFor(() => f.service.openMailboxes === 0);
  });

  test('20,000 pipelined unknown commands in one write: each gets -ERR, the session survives', async () => {
    const wire = await Pop3Wire.connect(f.port);
    wire.write('XYZZY\r\n'.repeat(20_000));
    for (let i = 0; i < 20_000; i++) expect((await wire.reply(false)).toString()).toBe('-ERR unknown command\r\n');
    await runTable(wire, [[`USER ${ADDRESS}`, /^\+OK/]]);
    wire.close();
  });

  test('AUTH PLAIN with an initial response and as a continuation (RFC 5034 §4)', async () => {
    const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');
    const wire = await Pop3Wire.connect(f.port);
    await runTable(wire, [
      [`AUTH PLAIN ${plain(ADDRESS, 'nope')}`, /^-ERR \[AUTH\] /],
      // RFC 4616 §2: acting as another identity is refused, whatever the password.
      [
        `AUTH PLAIN ${Buffer.from(`bob@example.test\0${ADDRESS}\0${PASSWORD}`).toString('base64')}`,
        /^-ERR \[AUTH\] Authorization identity/,
      ],
      [
        `AUTH PLAIN ${Buffer.from(`${ADDRESS}\0\0${PASSWORD}`).toString('base64')}`,
        /^-ERR \[AUTH\] Authorization identity/,
      ],
      [
        `AUTH PLAIN ${Buffer.from(`${ADDRESS.toUpperCase()}\0${ADDRESS}\0nope`).toString('base64')}`,
        /^-ERR \[AUTH\] Invalid/,
      ],
      ['AUTH PLAIN', /^\+ \r\n$/],
      [plain(ADDRESS, PASSWORD), /^\+OK maildrop has 3 messages/],
      ['STAT', new RegExp(`^\\+OK 3 ${TOTAL}\\r\\n$`)],
    ]);
    wire.close();
  });

  test('failed logins are logged for fail2ban and limited per IP', async () => {
    await f.close();
    f = await startPop3({ pop3: { authFailuresPerIpPerHour: 3 } });
    const wire = await Pop3Wire.connect(f.port);
    // The one LoginGate: exactly pop3.authFailuresPerIpPerHour (3) failures are checked, the 4th attempt is refused.
    for (let i = 0; i < 3; i++) {
      expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
      expect(await wire.command('PASS guess')).toMatch(/^-ERR \[AUTH\] /);
    }
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR \[SYS\/TEMP\] Too many failed logins/);
    expect(await wire.command('NOOP')).toMatch(/^-ERR /);
    const failures = f.logs.filter((line) => line.msg === 'authentication failed');
    expect(failures).toHaveLength(4);
    expect(failures[0]).toMatchObject({ level: 40, protocol: 'pop3', ip: '127.0.0.1', user: ADDRESS });
    expect(JSON.stringify(f.logs)).not.toContain(PASSWORD);
    wire.close();
  });
});

describe('TRANSACTION state', () => {
  test('STAT, LIST, UIDL, TOP, DELE, RSET and errors on one connection (RFC 1939 §5, §7)', async () => {
    const wire = await login(f);
    const sizes = `1 ${FIRST.length}\r\n2 ${SECOND.length}\r\n3 ${THIRD.length}`;
    await runTable(wire, [
      ['STAT', new RegExp(`^\\+OK 3 ${TOTAL}\\r\\n$`)],
      ['LIST', new RegExp(`^\\+OK 3 ${TOTAL}\\r\\n${sizes}\\r\\n\\.\\r\\n$`), 'multi'],
      ['LIST 2', new RegExp(`^\\+OK 2 ${SECOND.length}\\r\\n$`)],
      ['LIST 4', /^-ERR no such message/],
      ['LIST x', /^-ERR malformed command\r\n$/],
      ['UIDL', /^\+OK\r\n1 (\d+)\.1\r\n2 \1\.2\r\n3 \1\.3\r\n\.\r\n$/, 'multi'],
      ['UIDL 3', /^\+OK 3 \d+\.3\r\n$/],
      ['TOP 1 0', /^\+OK message follows\r\nFrom: .*Subject: first\r\n.*\r\n\r\n\.\r\n$/s, 'multi'],
      ['TOP 2 1', /\r\n\r\n\.\.starts with a dot\r\n\.\r\n$/s, 'multi'],
      ['TOP 2 99', /\r\n\r\n\.\.starts with a dot\r\n\.\.\.two dots\r\nplain\r\n\.\.\r\n\.\r\n$/s, 'multi'],
      ['TOP 1', /^-ERR malformed command\r\n$/],
      ['TOP 1.5 0', /^-ERR malformed command\r\n$/],
      ['LIST 1.5', /^-ERR malformed command\r\n$/],
      ['UIDL 0.5', /^-ERR malformed command\r\n$/],
      ['DELE 2.5', /^-ERR malformed command\r\n$/],
      ['RETR 1.5', /^-ERR malformed command\r\n$/],
      ['RETR -1', /^-ERR malformed command\r\n$/],
      ['TOP 1 -1', /^-ERR malformed command\r\n$/],
      ['RETR 0', /^-ERR malformed command\r\n$/],
      ['RETR 9', /^-ERR no such message, only 3 messages in maildrop\r\n$/],
      ['LAST', /^-ERR unknown command\r\n$/],
      ['USER someone', /^-ERR Command not accepted/],
      ['PASS something', /^-ERR Command not accepted/],
      ['NOOP', /^\+OK\r\n$/],
      ['DELE 1', /^\+OK message 1 deleted\r\n$/],
      ['DELE 1', /^-ERR message 1 already deleted\r\n$/],
      ['RETR 1', /^-ERR message 1 already deleted\r\n$/],
      // RFC 1939 §5: a message marked as deleted may not be named; the listings skip it and keep the numbers.
      ['LIST 1', /^-ERR message 1 already deleted\r\n$/],
      ['UIDL 1', /^-ERR message 1 already deleted\r\n$/],
      ['TOP 1 0', /^-ERR message 1 already deleted\r\n$/],
      ['LIST 0', /^-ERR malformed command\r\n$/],
      ['LIST 2', new RegExp(`^\\+OK 2 ${SECOND.length}\\r\\n$`)],
      ['STAT', new RegExp(`^\\+OK 2 ${SECOND.length + THIRD.length}\\r\\n$`)],
      [
        'LIST',
        new RegExp(
          `^\\+OK 2 ${SECOND.length + THIRD.length}\\r\\n2 ${SECOND.length}\\r\\n3 ${THIRD.length}\\r\\n\\.\\r\\n$`,
        ),
        'multi',
      ],
      ['UIDL', /^\+OK\r\n2 \d+\.2\r\n3 \d+\.3\r\n\.\r\n$/, 'multi'],
      ['RSET', new RegExp(`^\\+OK maildrop has 3 messages \\(${TOTAL} octets\\)\\r\\n$`)],
      ['STAT', new RegExp(`^\\+OK 3 ${TOTAL}\\r\\n$`)],
      ['STLS', /^-ERR /],
    ]);
    wire.close();
  });

  test('RETR returns the stored bytes, dot-stuffed on the wire (RFC 1939 §3)', async () => {
    const wire = await login(f);
    const reply = await wire.command('RETR 2', true);
    expect(reply).toContain('\r\n..starts with a dot\r\n...two dots\r\nplain\r\n..\r\n.\r\n');
    expect(reply.startsWith(`+OK ${SECOND.length} octets\r\n`)).toBe(true);
    for (const [n, raw] of [FIRST, SECOND, THIRD].entries()) {
      const { status, body } = await wire.retr(n + 1);
      expect(status).toBe(`+OK ${raw.length} octets`);
      expect(body.equals(raw)).toBe(true);
    }
    wire.close();
  });

  test('pipelined commands are answered in order, RETR bodies included (RFC 2449 §6.6)', async () => {
    const wire = await login(f);
    wire.write('STAT\r\nRETR 1\r\nRETR 2\r\nNOOP\r\nRETR 3\r\nLAST\r\nSTAT\r\n');
    expect((await wire.reply(false)).toString()).toBe(`+OK 3 ${TOTAL}\r\n`);
    expect((await wire.reply(true)).toString()).toContain('Subject: first');
    expect((await wire.reply(true)).toString()).toContain('Subject: second');
    expect((await wire.reply(false)).toString()).toBe('+OK\r\n');
    expect((await wire.reply(true)).toString()).toContain('Subject: third');
    expect((await wire.reply(false)).toString()).toBe('-ERR unknown command\r\n');
    expect((await wire.reply(false)).toString()).toBe(`+OK 3 ${TOTAL}\r\n`);
    wire.close();
  });

  test('a message expunged elsewhere during the session: RETR answers -ERR and the session goes on', async () => {
    const wire = await login(f);
    const imap = await f.otherProcess().open(MAILBOX_ID, PASSWORD);
    imap.store('INBOX', [1], { mode: 'add', flags: ['\\Deleted'] });
    expect(imap.expunge('INBOX', [1])).toEqual([1]);
    imap.close();
    await runTable(wire, [
      ['RETR 1', /^-ERR Message was removed by another session\r\n$/],
      ['NOOP', /^\+OK\r\n$/],
      ['DELE 1', /^\+OK/],
      ['QUIT', /^\+OK Bye \(1 message deleted\)\r\n$/],
    ]);
  });
});

describe('UPDATE state (RFC 1939 §6)', () => {
  test('DELE then QUIT removes the message, IMAP sessions get the expunge event, the rest keep their UIDL', async () => {
    const imapProcess = f.otherProcess();
    const events: ChangeEvent[] = [];
    const unsubscribe = imapProcess.notifier.subscribe(MAILBOX_ID, (event) => events.push(event));
    const first = await login(f);
    const uidlBefore = await first.command('UIDL', true);
    await runTable(first, [
      ['RETR 3', /^\+OK/, 'multi'],
      ['DELE 2', /^\+OK message 2 deleted/],
      ['QUIT', /^\+OK Bye \(1 message deleted\)\r\n$/],
    ]);
    await first.waitClosed();
    const expunged = await waitFor(() => events.find((e) => e.kind === 'expunged'));
    expect(expunged).toMatchObject({ mailboxId: MAILBOX_ID, folder: 'INBOX', uid: 2 });
    unsubscribe();

    const imap = await imapProcess.open(MAILBOX_ID, PASSWORD);
    const flags = new Map(imap.listMessages('INBOX').map((m) => [m.uid, m.flags]));
    imap.close();
    expect([...flags.keys()]).toEqual([1, 3]);
    expect(flags.get(3)).toContain('\\Seen');
    expect(flags.get(1)).not.toContain('\\Seen');

    const second = await login(f);
    expect(await second.command('STAT')).toBe(`+OK 2 ${FIRST.length + THIRD.length}\r\n`);
    const uidlAfter = await second.command('UIDL', true);
    const [, v] = /1 (\d+)\.1/.exec(uidlBefore) ?? [];
    expect(uidlAfter).toBe(`+OK\r\n1 ${v}.1\r\n2 ${v}.3\r\n.\r\n`);
    expect((await second.retr(2)).body.equals(THIRD)).toBe(true);
    second.close();
  });

  test('DELE then RSET, or a dropped connection, removes nothing', async () => {
    const reset = await login(f);
    await runTable(reset, [
      ['DELE 1', /^\+OK/],
      ['DELE 3', /^\+OK/],
      ['RSET', /^\+OK maildrop has 3 messages/],
      ['QUIT', /^\+OK Bye\r\n$/],
    ]);
    const dropped = await login(f);
    await runTable(dropped, [
      ['DELE 1', /^\+OK/],
      ['DELE 2', /^\+OK/],
    ]);
    dropped.close();
    await waitFor(() => f.service.openMailboxes === 0);
    const check = await login(f);
    expect(await check.command('STAT')).toBe(`+OK 3 ${TOTAL}\r\n`);
    check.close();
  });

  test('messages delivered after login appear in the next session, not in this one', async () => {
    const wire = await login(f);
    await f.deliver(message('late'));
    expect(await wire.command('STAT')).toBe(`+OK 3 ${TOTAL}\r\n`);
    expect(await wire.command('QUIT')).toBe('+OK Bye\r\n');
    const next = await login(f);
    expect(await next.command('STAT')).toMatch(/^\+OK 4 /);
    next.close();
  });
});

describe('TLS', () => {
  test('without allowInsecureAuth, USER and AUTH wait for STLS (RFC 2595 §4)', async () => {
    await f.close();
    f = await startPop3({ allowInsecureAuth: false });
    await f.deliver(FIRST);
    const wire = await Pop3Wire.connect(f.port);
    await runTable(wire, [
      ['CAPA', /^\+OK.*\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nSTLS\r\n\.\r\n$/s, 'multi'],
      [`USER ${ADDRESS}`, /^-ERR /],
      [`PASS ${PASSWORD}`, /^-ERR /],
      ['AUTH PLAIN', /^-ERR /],
    ]);
    expect(await wire.startTls()).toMatch(/^\+OK Begin TLS/);
    await runTable(wire, [
      ['CAPA', /^\+OK.*\r\nUSER\r\nRESP-CODES\r\nSASL PLAIN\r\nPIPELINING\r\n\.\r\n$/s, 'multi'],
      ['STLS', /^-ERR Command not permitted when TLS active/],
      [`USER ${ADDRESS}`, /^\+OK/],
      [`PASS ${PASSWORD}`, /^\+OK maildrop has 1 message /],
    ]);
    expect((await wire.retr(1)).body.equals(FIRST)).toBe(true);
    wire.close();
  });

  test('commands pipelined after STLS in plaintext are discarded, never run inside TLS (RFC 2595 §4)', async () => {
    await f.close();
    f = await startPop3({ allowInsecureAuth: false });
    await f.deliver(FIRST);
    const wire = await Pop3Wire.connect(f.port);
    const injected = `USER ${ADDRESS}\r\nPASS ${PASSWORD}\r\nDELE 1\r\nQUIT\r\n`;
    expect(await wire.startTls(injected)).toBe('+OK Begin TLS negotiation\r\n');
    await runTable(wire, [
      ['NOOP', /^-ERR Command not accepted\r\n$/],
      ['STAT', /^-ERR Command not accepted\r\n$/],
      [`USER ${ADDRESS}`, /^\+OK/],
      [`PASS ${PASSWORD}`, /^\+OK maildrop has 1 message /],
      ['QUIT', /^\+OK Bye\r\n$/],
    ]);
    const imap = await f.otherProcess().open(MAILBOX_ID, PASSWORD);
    expect(imap.listMessages('INBOX')).toHaveLength(1);
    imap.close();
  });

  test('a partial line after STLS is discarded too', async () => {
    await f.close();
    f = await startPop3({ allowInsecureAuth: false });
    const wire = await Pop3Wire.connect(f.port);
    expect(await wire.startTls('CAPA')).toBe('+OK Begin TLS negotiation\r\n');
    await runTable(wire, [['NOOP', /^-ERR Command not accepted\r\n$/]]);
    wire.close();
  });

  test('implicit TLS port accepts USER/PASS at once (RFC 8314)', async () => {
    await f.close();
    f = await startPop3({ allowInsecureAuth: false, secure: true });
    await f.deliver(FIRST);
    const wire = await Pop3Wire.connect(f.port, { tls: true });
    await runTable(wire, [
      [`USER ${ADDRESS}`, /^\+OK/],
      [`PASS ${PASSWORD}`, /^\+OK maildrop has 1 message /],
      ['QUIT', /^\+OK Bye/],
    ]);
  });
});

describe('shutdown', () => {
  test('close() stops accepting, ends sessions after the grace period and releases their mailboxes', async () => {
    const wire = await login(f);
    expect(f.service.openMailboxes).toBe(1);
    await f.service.close();
    await wire.waitClosed();
    expect(f.service.openMailboxes).toBe(0);
    await expect(Pop3Wire.connect(f.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('server faults', () => {
  test('a code bug in a hook is logged in full, answered generically, and the session goes on', async () => {
    expectCodeBugs(1);
    const verify = f.control.verifyMailboxPassword.bind(f.control);
    f.control.verifyMailboxPassword = async () => {
      throw new TypeError('control store exploded at /secret/path');
    };
    const wire = await Pop3Wire.connect(f.port);
    await runTable(wire, [
      [`USER ${ADDRESS}`, /^\+OK/],
      [`PASS ${PASSWORD}`, /^-ERR \[SYS\/PERM\] Internal server error\r\n$/],
    ]);
    f.control.verifyMailboxPassword = verify;
    await runTable(wire, [
      [`USER ${ADDRESS}`, /^\+OK/],
      [`PASS ${PASSWORD}`, /^\+OK maildrop has 3 messages/],
    ]);
    wire.close();
    const bugs = f.codeBugs();
    expect(bugs).toHaveLength(1);
    expect(JSON.stringify(bugs[0])).toContain('control store exploded');
    expect(f.logs.some((line) => line.msg === 'authentication failed')).toBe(false);
    f.logs.length = 0;
  });
});
