/**
 * ManageSieve over raw sockets (RFC 5804): each command's replies, the states, literals, SASL PLAIN and LOGIN,
 * and bad input (syntax errors with line and column, over-size literals and lines, unknown commands, bad logins,
 * the failed-login gate, connection limits). The session must go on after every NO.
 */
import { connect as tlsConnect } from 'node:tls';
import { waitFor } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { ADDRESS, PASSWORD, plainAuth, type SieveFixture, startManageSieve, type Wire } from './fixture.js';

let fixture: SieveFixture;
afterEach(async () => {
  await fixture?.close();
});

async function loggedIn(): Promise<Wire> {
  const wire = await fixture.wire();
  expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, PASSWORD)}"`)).toMatch(/^OK/);
  return wire;
}

const literal = (text: string, plus = true) => `{${Buffer.byteLength(text)}${plus ? '+' : ''}}\r\n${text}`;

describe('ManageSieve wire protocol', () => {
  test('greets with the capabilities; CAPABILITY repeats them; NOOP echoes its tag', async () => {
    fixture = await startManageSieve();
    const wire = await fixture.wire();
    const caps = await wire.command('CAPABILITY');
    expect(caps).toContain('"IMPLEMENTATION" "Mailyard"\r\n');
    expect(caps).toMatch(/"SIEVE" "[^"]*fileinto[^"]*vacation[^"]*"/);
    expect(caps).toContain('"SASL" "PLAIN LOGIN"\r\n');
    expect(caps).toContain('"STARTTLS"\r\n');
    expect(caps).toContain('"VERSION" "1.0"\r\n');
    expect(caps).not.toContain('OWNER');
    expect(caps).toMatch(/OK "[^"]*"\r\n$/);
    expect(await wire.command('NOOP "abc"')).toBe('OK (TAG "abc") "Done"\r\n');
    expect(await wire.command('noop')).toBe('OK "Done"\r\n');
  });

  test('script commands need a login; unknown and malformed commands get NO and the session goes on', async () => {
    fixture = await startManageSieve();
    const wire = await fixture.wire();
    expect(await wire.command('LISTSCRIPTS')).toMatch(/^NO "LISTSCRIPTS needs an authenticated session"/);
    expect(await wire.command('FROBNICATE "x"')).toMatch(/^NO "Unknown command FROBNICATE"/);
    expect(await wire.command('"quoted"')).toMatch(/^NO "Expected a command name"/);
    expect(await wire.command('GETSCRIPT "a\\x"')).toMatch(/^NO "Bad escape/);
    expect(await wire.command('NOOP "a" "b"')).toMatch(/^NO "Expected 0 to 1 arguments, got 2"/);
    expect(await wire.command('NOOP')).toBe('OK "Done"\r\n');
  });

  test('every script command, with {n+} and {n} literals, for the logged-in alias only', async () => {
    fixture = await startManageSieve();
    await fixture.control.createSieveScript(fixture.bob.id, { name: 'bobs', content: 'keep;\n' });
    const wire = await loggedIn();
    expect(await wire.command('CAPABILITY')).toContain(`"OWNER" "${ADDRESS}"`);
    const filters = 'require "fileinto";\r\nif header :contains "subject" "[list]" { fileinto "Lists"; }\r\n';
    expect(await wire.command('HAVESPACE "filters" 200')).toMatch(/^OK/);
    expect(await wire.command(`PUTSCRIPT "filters" ${literal(filters)}\r\n`)).toMatch(/^OK/);
    expect(await wire.command(`PUTSCRIPT "vacation" ${literal('keep;\r\n', false)}\r\n`)).toMatch(/^OK/);
    expect(await wire.command('LISTSCRIPTS')).toBe('"filters"\r\n"vacation"\r\nOK "Listscripts completed"\r\n');
    expect(await wire.command('SETACTIVE "filters"')).toMatch(/^OK/);
    expect(await wire.command('LISTSCRIPTS')).toMatch(/^"filters" ACTIVE\r\n"vacation"\r\nOK/);
    expect((await fixture.control.getActiveSieveScript(fixture.alice.id))?.content).toBe(filters);
    expect(await wire.command('GETSCRIPT "filters"')).toBe(
      `{${Buffer.byteLength(filters)}}\r\n${filters}\r\nOK "Getscript completed"\r\n`,
    );
    expect(await wire.command('GETSCRIPT "bobs"')).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command('DELETESCRIPT "filters"')).toMatch(/^NO \(ACTIVE\)/);
    expect(await wire.command('RENAMESCRIPT "filters" "vacation"')).toMatch(/^NO \(ALREADYEXISTS\)/);
    expect(await wire.command('RENAMESCRIPT "missing" "x"')).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command('RENAMESCRIPT "filters" "Filter Ä"')).toMatch(/^OK/);
    expect(await wire.command('LISTSCRIPTS')).toMatch(/^"Filter Ä" ACTIVE\r\n"vacation"\r\nOK/);
    expect(await wire.command('CHECKSCRIPT {6+}\r\nkeep;\n\r\n')).toMatch(/^OK/);
    expect(await wire.command('SETACTIVE ""')).toMatch(/^OK/);
    expect(await fixture.control.getActiveSieveScript(fixture.alice.id)).toBeNull();
    expect(await wire.command('SETACTIVE "missing"')).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command('DELETESCRIPT "vacation"')).toMatch(/^OK/);
    expect(await wire.command('DELETESCRIPT "vacation"')).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command('LISTSCRIPTS')).toBe('"Filter Ä"\r\nOK "Listscripts completed"\r\n');
    expect((await fixture.control.listSieveScripts(fixture.bob.id)).map((s) => s.name)).toEqual(['bobs']);
    expect(await wire.command('AUTHENTICATE "PLAIN" "eA=="')).toMatch(/^NO "AUTHENTICATE is not allowed after/);
    expect(await wire.command('UNAUTHENTICATE')).toMatch(/^OK/);
    expect(await wire.command('LISTSCRIPTS')).toMatch(/^NO/);
    expect(await wire.command('LOGOUT')).toMatch(/^OK/);
    await wire.closed();
  });

  test('names are only names: a script named like another script id is the one addressed', async () => {
    fixture = await startManageSieve();
    const first = await fixture.control.createSieveScript(fixture.alice.id, { name: 'first', content: 'keep;\n' });
    const wire = await loggedIn();
    expect(await wire.command(`GETSCRIPT "${first.id}"`)).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command(`DELETESCRIPT "${first.id}"`)).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command(`SETACTIVE "${first.id}"`)).toMatch(/^NO \(NONEXISTENT\)/);
    expect(await wire.command(`PUTSCRIPT "${first.id}" {8+}\r\ndiscard;\r\n`)).toMatch(/^OK/);
    expect(await wire.command(`GETSCRIPT "${first.id}"`)).toMatch(/^\{8\}\r\ndiscard;\r\n/);
    expect(await wire.command(`DELETESCRIPT "${first.id}"`)).toMatch(/^OK/);
    expect((await fixture.control.listSieveScripts(fixture.alice.id)).map((s) => s.name)).toEqual(['first']);
  });

  test('a script with a syntax error is NO with its line and column, and nothing is stored', async () => {
    fixture = await startManageSieve();
    const wire = await loggedIn();
    const bad = 'require "fileinto";\r\nif header :contains "subject" "x" {\r\n  fileinto "A"\r\n}\r\n';
    const put = await wire.command(`PUTSCRIPT "bad" ${literal(bad)}\r\n`);
    expect(put).toMatch(/^NO "line 4, column 1: .+"\r\n$/);
    expect(await wire.command(`CHECKSCRIPT ${literal(bad)}\r\n`)).toBe(put);
    const unknown = await wire.command(`PUTSCRIPT "bad" ${literal('fileinto "x";\r\n')}\r\n`);
    expect(unknown).toMatch(/^NO "line 1, column 1: .*fileinto/);
    const latin1 = Buffer.concat([
      Buffer.from('PUTSCRIPT "bad" {3+}\r\n'),
      Buffer.from([0xff, 0xfe, 0x3b]),
      Buffer.from('\r\n'),
    ]);
    expect(await wire.command(latin1)).toMatch(/^NO "The script is not valid UTF-8"/);
    expect(await wire.command('LISTSCRIPTS')).toBe('OK "Listscripts completed"\r\n');
  });

  test('over-size scripts: HAVESPACE and PUTSCRIPT say QUOTA/MAXSIZE; a huge literal or line ends the session', async () => {
    fixture = await startManageSieve();
    const wire = await loggedIn();
    expect(await wire.command('HAVESPACE "big" 70000')).toMatch(/^NO \(QUOTA\/MAXSIZE\)/);
    const big = `# ${'x'.repeat(70_000)}\r\nkeep;\r\n`;
    expect(await wire.command(`PUTSCRIPT "big" ${literal(big)}\r\n`)).toMatch(/^NO \(QUOTA\/MAXSIZE\)/);
    expect(await wire.command('NOOP')).toBe('OK "Done"\r\n');
    expect(await wire.command('PUTSCRIPT "huge" {50000000+}\r\n')).toMatch(/^BYE "Literal too large"/);
    await wire.closed();
    const second = await loggedIn();
    expect(await second.command(`NOOP ${'a'.repeat(9000)}`)).toMatch(/^BYE "Line too long"/);
    await second.closed();
  });

  test('SASL: PLAIN with a challenge, cancel with "*", LOGIN, a foreign authzid, and wrong passwords', async () => {
    fixture = await startManageSieve();
    const wire = await fixture.wire();
    wire.send('AUTHENTICATE "PLAIN"\r\n');
    expect(await wire.line()).toBe('""\r\n');
    expect(await wire.command('"*"')).toMatch(/^NO "Authentication cancelled"/);
    wire.send('AUTHENTICATE "PLAIN"\r\n');
    expect(await wire.line()).toBe('""\r\n');
    expect(await wire.command(`{${plainAuth(ADDRESS, PASSWORD).length}+}\r\n${plainAuth(ADDRESS, PASSWORD)}`)).toMatch(
      /^OK/,
    );
    expect(await wire.command('UNAUTHENTICATE')).toMatch(/^OK/);
    wire.send('AUTHENTICATE "LOGIN"\r\n');
    expect(await wire.line()).toBe(`"${Buffer.from('Username:').toString('base64')}"\r\n`);
    wire.send(`"${Buffer.from(ADDRESS).toString('base64')}"\r\n`);
    expect(await wire.line()).toBe(`"${Buffer.from('Password:').toString('base64')}"\r\n`);
    expect(await wire.command(`"${Buffer.from(PASSWORD).toString('base64')}"`)).toMatch(/^OK/);
    expect(await wire.command('UNAUTHENTICATE')).toMatch(/^OK/);
    const foreign = Buffer.from(`bob@example.test\0${ADDRESS}\0${PASSWORD}`).toString('base64');
    expect(await wire.command(`AUTHENTICATE "PLAIN" "${foreign}"`)).toMatch(/^NO/);
    expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, 'wrong')}"`)).toBe(
      'NO "Authentication failed"\r\n',
    );
    expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth('nobody@example.test', PASSWORD)}"`)).toBe(
      'NO "Authentication failed"\r\n',
    );
    expect(await wire.command('AUTHENTICATE "CRAM-MD5"')).toMatch(/^NO "Unsupported SASL mechanism/);
    expect(await wire.command('AUTHENTICATE "PLAIN" "not base64!"')).toMatch(/^NO "The SASL response is not base64"/);
    expect(fixture.logs.filter((l) => l.msg === 'authentication failed')).toHaveLength(2);
  });

  test('the login gate: after the allowed failures even the right password gets NO (TRYLATER)', async () => {
    fixture = await startManageSieve({ authFailuresPerIpPerHour: 3 });
    const wire = await fixture.wire();
    for (let i = 0; i < 3; i++) {
      expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, `wrong ${i}`)}"`)).toMatch(/^NO "Auth/);
    }
    expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, PASSWORD)}"`)).toMatch(/^NO \(TRYLATER\)/);
  });

  test('without allowInsecureAuth: no SASL before STARTTLS, ENCRYPT-NEEDED; after STARTTLS, capabilities and login', async () => {
    fixture = await startManageSieve({}, false);
    const wire = await fixture.wire();
    const caps = await wire.command('CAPABILITY');
    expect(caps).toContain('"SASL" ""\r\n');
    expect(await wire.command(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, PASSWORD)}"`)).toMatch(
      /^NO \(ENCRYPT-NEEDED\)/,
    );
    // A command sent after STARTTLS in the same packet must not reach the TLS session (no plaintext injection).
    wire.send('STARTTLS\r\nLISTSCRIPTS\r\n');
    expect(await wire.line()).toMatch(/^OK/);
    wire.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: wire.socket, rejectUnauthorized: false });
    secure.setEncoding('utf8');
    let received = '';
    secure.on('data', (text: string) => {
      received += text;
    });
    const receivedMatch = (pattern: RegExp) =>
      waitFor(() => pattern.test(received), 10_000, 10).catch((err: unknown) => {
        throw new Error(`timed out: ${received}`, { cause: err });
      });
    await receivedMatch(/OK "[^"]*"\r\n$/);
    expect(received).toContain('"SASL" "PLAIN LOGIN"\r\n');
    expect(received).not.toContain('"STARTTLS"');
    expect(received).not.toContain('NO');
    received = '';
    secure.write(`AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, PASSWORD)}"\r\nLISTSCRIPTS\r\n`);
    await receivedMatch(/Listscripts completed"\r\n$/);
    expect(received).toBe('OK "Logged in"\r\nOK "Listscripts completed"\r\n');
    secure.destroy();
  });

  test('an idle session gets BYE at managesieve.idleTimeoutMs; a closing server says BYE to every session', async () => {
    fixture = await startManageSieve({ idleTimeoutMs: 300 });
    const idle = await fixture.wire();
    expect(await idle.response()).toBe('BYE (TRYLATER) "Idle timeout, closing the connection"\r\n');
    await idle.closed();
    await fixture.close();
    fixture = await startManageSieve();
    const busy = await loggedIn();
    expect(await busy.command('NOOP')).toMatch(/^OK/);
    const closing = fixture.service.close();
    expect(await busy.response()).toBe('BYE (TRYLATER) "Server shutting down"\r\n');
    await busy.closed();
    await closing;
    expect(fixture.service.sessions).toBe(0);
  });

  test('connections past maxConnectionsPerIp get BYE (TRYLATER)', async () => {
    fixture = await startManageSieve({ maxConnectionsPerIp: 2 });
    await fixture.wire();
    await fixture.wire();
    const third = await fixture.wire();
    expect(third.greeting).toBe('BYE (TRYLATER) "Too many connections, try again later"\r\n');
    await third.closed();
    expect((await fixture.wire()).greeting).toMatch(/^BYE/);
  });
});
