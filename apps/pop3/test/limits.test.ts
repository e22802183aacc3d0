/**
 * Session limits on the wire: the maildrop lock (RFC 1939 §4, `[IN-USE]` from RFC 2449 §8.1.2), connections per
 * client IP and per user name (pop3.maxConnectionsPerIp / pop3.maxConnectionsPerUser), each from configuration.
 */
import { connect } from 'node:net';
import { waitFor } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { ADDRESS, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

const LOGGED_IN = /^\+OK maildrop has \d+ messages? \(\d+ octets\)\r\n$/;

async function login(f: Pop3Fixture, address = ADDRESS): Promise<Pop3Wire> {
  const wire = await Pop3Wire.connect(f.port);
  expect(await wire.command(`USER ${address}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(LOGGED_IN);
  return wire;
}

let f: Pop3Fixture | undefined;
afterEach(async () => {
  expect(f?.codeBugs()).toEqual([]);
  await f?.close();
  f = undefined;
});

describe('maildrop lock', () => {
  test('a second session of the mailbox gets -ERR [IN-USE] until the first ends', async () => {
    f = await startPop3();
    await f.deliver(message('locked'));
    const first = await login(f);
    const second = await Pop3Wire.connect(f.port);
    expect(await second.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await second.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR \[IN-USE\] /);
    // The refusal is no failed login: nothing for fail2ban, nothing counted against the address.
    expect(f.logs.filter((line) => line.msg === 'authentication failed')).toEqual([]);
    expect(await first.command('STAT')).toMatch(/^\+OK 1 /);
    expect(await first.command('QUIT')).toMatch(/^\+OK/);
    expect(await second.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await second.command(`PASS ${PASSWORD}`)).toMatch(LOGGED_IN);
    second.close();
  });

  test('QUIT gives the lock back with its reply, before the client has closed its side (RFC 1939 §6)', async () => {
    f = await startPop3();
    await f.deliver(message('quit'));
    // A client that keeps its half of the connection open after QUIT, as some do: wildduck then held the
    // session, and the lock with it, until its 1.5 s close timer.
    const lingering = connect({ port: f.port, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    lingering.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    lingering.write(`USER ${ADDRESS}\r\nPASS ${PASSWORD}\r\nDELE 1\r\nQUIT\r\n`);
    await waitFor(() => received.includes('+OK Bye'));
    expect(received).toContain('+OK Bye (1 message deleted)\r\n');
    const next = await Pop3Wire.connect(f.port);
    expect(await next.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await next.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop has 0 messages/);
    next.close();
    lingering.destroy();
  });

  test('AUTH PLAIN is refused the same way, and a dropped connection gives the lock back', async () => {
    f = await startPop3();
    const first = await login(f);
    const second = await Pop3Wire.connect(f.port);
    const plain = Buffer.from(`\0${ADDRESS}\0${PASSWORD}`).toString('base64');
    expect(await second.command(`AUTH PLAIN ${plain}`)).toMatch(/^-ERR \[IN-USE\] /);
    first.close();
    const fixture = f;
    await waitFor(() => fixture.service.openMailboxes === 0);
    expect(await second.command(`AUTH PLAIN ${plain}`)).toMatch(/^\+OK/);
    second.close();
  });
});

describe('connection limits', () => {
  test('pop3.maxConnectionsPerIp: one over the limit gets -ERR [SYS/TEMP] and is closed', async () => {
    f = await startPop3({ pop3: { maxConnectionsPerIp: 2 } });
    const open = [await Pop3Wire.connect(f.port), await Pop3Wire.connect(f.port)];
    const refused = await Pop3Wire.connect(f.port);
    expect(refused.greeting).toMatch(/^-ERR \[SYS\/TEMP\] Too many connections from your address\r\n$/);
    await refused.waitClosed();
    expect(f.logs.some((line) => line.msg === 'too many connections from address' && line.ip === '127.0.0.1')).toBe(
      true,
    );
    open[0]?.close();
    const fixture = f;
    await waitFor(async () => {
      const wire = await Pop3Wire.connect(fixture.port);
      const admitted = wire.greeting.startsWith('+OK');
      wire.close();
      return admitted;
    });
    open[1]?.close();
  });

  test('pop3.maxConnectionsPerUser: logins of one user name past the limit get -ERR [SYS/TEMP]', async () => {
    f = await startPop3({ pop3: { maxConnectionsPerUser: 1 } });
    const first = await login(f);
    const second = await Pop3Wire.connect(f.port);
    // User names compare without case, so changing it does not buy another slot.
    expect(await second.command(`USER ${ADDRESS.toUpperCase()}`)).toMatch(/^\+OK/);
    expect(await second.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR \[SYS\/TEMP\] Too many connections for this user/);
    expect(await first.command('QUIT')).toMatch(/^\+OK/);
    const fixture = f;
    await waitFor(() => fixture.service.openMailboxes === 0);
    expect(await second.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await second.command(`PASS ${PASSWORD}`)).toMatch(LOGGED_IN);
    second.close();
  });

  test('a failed login gives its user slot back', async () => {
    f = await startPop3({ pop3: { maxConnectionsPerUser: 1 } });
    const wire = await Pop3Wire.connect(f.port);
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command('PASS wrong')).toMatch(/^-ERR \[AUTH\] /);
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(LOGGED_IN);
    wire.close();
  });
});
