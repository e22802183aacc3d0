/**
 * Issue 12, the IMAP items, each as a test that fails without its fix: input limits that hold after a refused
 * literal and under COMPRESS, work that stops when the client leaves (item 1), no STARTTLS command injection
 * (item 4), slow clients cut and a connection cap per listener (item 5), unknown users cost an unlock (item 7),
 * and the item 12 checks (folder names, RENAME INBOX, authzid, bad commands before login, folder cap).
 */
import { connect as tlsConnect } from 'node:tls';
import { deflateRawSync } from 'node:zlib';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, openWire, wrap } from './wire-client.js';

const MAX_LINE = 4096;

describe('input limits, STARTTLS, logins, names', () => {
  let h: Harness;
  let user: TestUser;

  beforeAll(async () => {
    h = await startHarness({ imap: { maxLineBytes: MAX_LINE } }, { protocol: { maxFolders: 12 } });
    user = await h.addUser('hostile');
  });
  afterAll(async () => h?.close());

  test('item 1: after a refused literal the next bytes are still held to the line limit', async () => {
    const wire = await openWire(h.port);
    expect(await wire.command('a1', 'LOGIN {999999999}')).toMatch(/^a1 NO \[TOOBIG\]/m);
    wire.send('x'.repeat(MAX_LINE * 4));
    expect(await wire.readUntil(/^\* BYE/)).toMatch(/^\* BYE Command line too long/m);
    await wire.closed();
  });

  test('item 1: before login a literal is limited to a few KiB', async () => {
    const wire = await openWire(h.port);
    expect(await wire.command('a1', 'LOGIN {9000}')).toMatch(/^a1 NO \[TOOBIG\]/m);
    expect(await wire.command('a2', 'NOOP')).toMatch(/^a2 OK/m);
    wire.close();
  });

  test('item 1: a COMPRESS bomb without a newline is cut at the line limit', async () => {
    const wire = await loginWire(h.port, user.address, user.password);
    expect(await wire.command('z1', 'COMPRESS DEFLATE')).toMatch(/^z1 OK/m);
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(100_000);
    wire.send(bomb);
    await wire.closed();
  });

  test('item 1: work stops when the client leaves (1,000,000 compressed NOOPs)', async () => {
    const wire = await loginWire(h.port, user.address, user.password);
    expect(await wire.command('z1', 'COMPRESS DEFLATE')).toMatch(/^z1 OK/m);
    const before = h.server.connections.size;
    wire.send(deflateRawSync(Buffer.from('n NOOP\r\n'.repeat(1_000_000))));
    wire.close();
    await waitFor(() => h.server.connections.size < before, 2000);
    const started = Date.now();
    const probe = await openWire(h.port);
    expect(await probe.command('p1', 'CAPABILITY')).toMatch(/^p1 OK/m);
    expect(Date.now() - started).toBeLessThan(1000);
    probe.close();
  });

  test('item 4: commands pipelined after STARTTLS in plaintext are discarded (RFC 2595 §4)', async () => {
    const wire = await openWire(h.port);
    wire.send('t1 STARTTLS\r\nt2 LOGOUT\r\n');
    expect(await wire.readUntil(/^t1 /)).toMatch(/^t1 OK/m);
    wire.socket.removeAllListeners('data');
    const secure = wrap(tlsConnect({ socket: wire.socket, rejectUnauthorized: false }));
    const reply = await secure.command('t3', 'NOOP');
    expect(reply).toMatch(/^t3 OK/m);
    expect(reply).not.toMatch(/t2|BYE/);
    secure.close();
  });

  test('item 7: an unknown user and a wrong password cost the same unlock work as a real login', async () => {
    let simulated = 0;
    const original = h.mailstore.simulateUnlock.bind(h.mailstore);
    h.mailstore.simulateUnlock = async (password: string) => {
      simulated++;
      return original(password);
    };
    try {
      const wire = await openWire(h.port);
      expect(await wire.command('u1', 'LOGIN nobody@example.test secret')).toMatch(/^u1 NO \[AUTHENTICATIONFAILED\]/m);
      expect(simulated).toBe(1);
      expect(await wire.command('u2', `LOGIN ${user.address} wrong`)).toMatch(/^u2 NO \[AUTHENTICATIONFAILED\]/m);
      expect(simulated).toBe(2);
      wire.close();
    } finally {
      h.mailstore.simulateUnlock = original;
    }
  });

  test('item 12: AUTHENTICATE PLAIN with another authorization identity fails', async () => {
    const wire = await openWire(h.port);
    const plain = Buffer.from(`admin@example.test\0${user.address}\0${user.password}`).toString('base64');
    expect(await wire.command('p1', `AUTHENTICATE PLAIN ${plain}`)).toMatch(/^p1 NO \[AUTHENTICATIONFAILED\]/m);
    const same = Buffer.from(`${user.address}\0${user.address}\0${user.password}`).toString('base64');
    expect(await wire.command('p2', `AUTHENTICATE PLAIN ${same}`)).toMatch(/^p2 OK/m);
    wire.close();
  });

  test('item 12: invalid modified UTF-7 and 8-bit names are BAD unless UTF8=ACCEPT is enabled', async () => {
    const wire = await loginWire(h.port, user.address, user.password);
    expect(await wire.command('n1', 'CREATE "bad&Jjo"')).toMatch(/^n1 BAD/m);
    expect(await wire.command('n2', 'CREATE "&AGE-"')).toMatch(/^n2 BAD/m);
    expect(await wire.command('n3', `CREATE "${Buffer.from('Grüße', 'utf8').toString('latin1')}"`)).toMatch(/^n3 BAD/m);
    expect(await wire.command('n4', 'CREATE "Gr&APwA3w-e"')).toMatch(/^n4 OK/m);
    expect(await wire.command('n5', 'ENABLE UTF8=ACCEPT')).toMatch(/^n5 OK/m);
    expect(await wire.command('n6', `CREATE "${Buffer.from('Ärger', 'utf8').toString('latin1')}"`)).toMatch(/^n6 OK/m);
    wire.close();
  });

  test('item 12: RENAME INBOX moves its messages into the new folder and leaves INBOX empty (RFC 3501 §6.3.5)', async () => {
    const other = await h.addUser('renamer');
    const client = await h.client(other);
    await client.append('INBOX', message('one'));
    await client.append('INBOX', message('two'));
    await client.logout();
    const wire = await loginWire(h.port, other.address, other.password);
    expect(await wire.command('r1', 'RENAME INBOX Old-Inbox')).toMatch(/^r1 OK/m);
    expect(await wire.command('r2', 'STATUS INBOX (MESSAGES)')).toMatch(/^\* STATUS "?INBOX"? \(MESSAGES 0\)/m);
    expect(await wire.command('r3', 'STATUS Old-Inbox (MESSAGES)')).toMatch(/\(MESSAGES 2\)/m);
    wire.close();
  });

  test('item 12: the number of folders per mailbox is capped', async () => {
    const other = await h.addUser('hoarder');
    const wire = await loginWire(h.port, other.address, other.password);
    let reply = '';
    for (let i = 0; i < 20 && !/NO \[LIMIT\]/.test(reply); i++) reply = await wire.command(`f${i}`, `CREATE many${i}`);
    expect(reply).toMatch(/NO \[LIMIT\] Too many folders/);
    expect(await wire.command('l1', 'LIST "" "*"')).toMatch(/^l1 OK/m);
    wire.close();
  });

  test('item 12: bad commands before login are capped', async () => {
    const wire = await openWire(h.port);
    for (let i = 0; i < 9; i++) expect(await wire.command(`b${i}`, 'FROBNICATE')).toMatch(/BAD/);
    wire.send('b9 FROBNICATE\r\n');
    expect(await wire.readUntil(/^\* BYE/)).toMatch(/Too many invalid commands/);
    await wire.closed();
  });
});

describe('slow clients and the connection cap (item 5)', () => {
  let h: Harness;
  let user: TestUser;

  beforeAll(async () => {
    h = await startHarness(
      {},
      { protocol: { commandTimeoutMs: 600, rateWindowMs: 200, minLiteralRate: 1000, maxConnections: 4 } },
    );
    user = await h.addUser('slow');
  });
  afterAll(async () => h?.close());

  async function trickle(send: (byte: string) => void, text: string, everyMs: number, until: Promise<unknown>) {
    let done = false;
    void until.finally(() => {
      done = true;
    });
    for (const ch of text) {
      if (done) return;
      send(ch);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  test('a command line trickling in is cut after the command budget', async () => {
    const wire = await openWire(h.port);
    const started = Date.now();
    const bye = wire.readUntil(/^\* BYE/, 5000);
    await trickle((b) => wire.send(b), 'c1 CAPABILITY AND A VERY LONG TAIL THAT NEVER ENDS', 100, bye);
    expect(await bye).toMatch(/Command took too long/);
    expect(Date.now() - started).toBeLessThan(2500);
    await wire.closed();
  });

  test('a literal arriving below the minimum rate is cut', async () => {
    const wire = await loginWire(h.port, user.address, user.password);
    wire.send('a1 APPEND INBOX {1000}\r\n');
    await wire.readUntil(/^\+ /);
    const bye = wire.readUntil(/^\* BYE/, 5000);
    await trickle((b) => wire.send(b), 'x'.repeat(1000), 50, bye);
    expect(await bye).toMatch(/too slowly|too long/);
    await wire.closed();
  });

  test('each listener caps its connections', async () => {
    const open = await Promise.all([1, 2, 3, 4].map(() => openWire(h.port)));
    const net = await import('node:net');
    const extra = wrap(net.connect({ host: '127.0.0.1', port: h.port }));
    expect(await extra.readUntil(/^\* BYE/)).toMatch(/^\* BYE \[UNAVAILABLE\] Too many connections/m);
    for (const wire of [...open, extra]) wire.close();
  });
});
