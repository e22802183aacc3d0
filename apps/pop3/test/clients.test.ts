/**
 * Real POP3 clients against the server: Python's poplib (plain, STLS, implicit TLS), curl's POP3, and fetchmail
 * downloading into an MDA that writes files. Each skips with a printed reason when its tool is missing locally
 * and fails when CI=true.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireTool } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { ADDRESS, MAILBOX_ID, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

const run = promisify(execFile);
const POPLIB_CLIENT = fileURLToPath(new URL('./clients/poplib_client.py', import.meta.url));

const MESSAGES = [
  message('plain'),
  message('dots', '.leading dot\r\n..two\r\n.\r\nend\r\n'),
  message('latin', 'caf\u00e9 \u2603 8-bit body\r\n'),
];

let f: Pop3Fixture | undefined;
afterEach(async () => {
  expect(f?.codeBugs()).toEqual([]);
  await f?.close();
  f = undefined;
});

async function serverWithMail(opts: Parameters<typeof startPop3>[0] = {}): Promise<Pop3Fixture> {
  f = await startPop3(opts);
  for (const raw of MESSAGES) await f.deliver(raw);
  return f;
}

async function remainingCount(fixture: Pop3Fixture): Promise<number> {
  const wire = await Pop3Wire.connect(fixture.port);
  if (!fixture.config.allowInsecureAuth) await wire.startTls();
  await wire.command(`USER ${ADDRESS}`);
  await wire.command(`PASS ${PASSWORD}`);
  const stat = await wire.command('STAT');
  await wire.command('QUIT');
  return Number(stat.split(' ')[1]);
}

interface PoplibResult {
  welcome: string;
  capa: string[];
  stat: [number, number];
  list: string[];
  uidl: string[];
  messages: string[];
  top: string[];
  last: string;
  noop: string;
  dele?: string;
  quit: string;
}

async function poplib(port: number, mode: 'plain' | 'stls' | 'ssl', deleteLast: boolean): Promise<PoplibResult> {
  const args = [POPLIB_CLIENT, String(port), ADDRESS, PASSWORD, mode, deleteLast ? '1' : '0'];
  const { stdout } = await run('python3', args, { timeout: 20_000 });
  return JSON.parse(stdout) as PoplibResult;
}

describe.skipIf(!requireTool('python3'))('python3 poplib', () => {
  test('plain session: STAT, LIST, UIDL, RETR byte-exact, TOP, LAST refused, DELE at QUIT', async () => {
    const fixture = await serverWithMail();
    const result = await poplib(fixture.port, 'plain', true);
    const total = MESSAGES.reduce((sum, m) => sum + m.length, 0);
    expect(result.capa).toEqual(['PIPELINING', 'RESP-CODES', 'SASL', 'STLS', 'TOP', 'UIDL', 'USER']);
    expect(result.stat).toEqual([3, total]);
    expect(result.list).toEqual(MESSAGES.map((m, i) => `${i + 1} ${m.length}`));
    expect(result.uidl).toEqual([
      expect.stringMatching(/^1 \d+\.1$/),
      expect.stringMatching(/^2 \d+\.2$/),
      expect.stringMatching(/^3 \d+\.3$/),
    ]);
    expect(result.messages.map((b64) => Buffer.from(b64, 'base64'))).toEqual(MESSAGES);
    expect(result.top.at(-1)).toBe('');
    expect(result.top).toContain('Subject: plain');
    expect(result.last).toBe('-ERR unknown command');
    expect(result.noop).toBe('+OK');
    expect(result.dele).toBe('+OK message 3 deleted');
    expect(result.quit).toBe('+OK Bye (1 message deleted)');
    expect(await remainingCount(fixture)).toBe(2);
  });

  test('STLS when insecure auth is off, and implicit TLS', async () => {
    const fixture = await serverWithMail({ allowInsecureAuth: false });
    const stls = await poplib(fixture.port, 'stls', false);
    expect(stls.messages.map((b64) => Buffer.from(b64, 'base64'))).toEqual(MESSAGES);
    await fixture.close();
    f = undefined;
    const secure = await serverWithMail({ allowInsecureAuth: false, secure: true });
    const tls = await poplib(secure.port, 'ssl', false);
    expect(tls.stat[0]).toBe(3);
    expect(tls.capa).not.toContain('STLS');
  });
});

describe.skipIf(!requireTool('curl'))('curl pop3://', () => {
  const curl = async (url: string, ...extra: string[]) =>
    (
      await run('curl', ['-sS', '--max-time', '20', '-u', `${ADDRESS}:${PASSWORD}`, ...extra, url], {
        encoding: 'buffer',
      })
    ).stdout;

  test('LIST and RETR over plain POP3 with insecure auth allowed', async () => {
    const fixture = await serverWithMail();
    const base = `pop3://127.0.0.1:${fixture.port}`;
    expect((await curl(`${base}/`)).toString()).toBe(MESSAGES.map((m, i) => `${i + 1} ${m.length}\r\n`).join(''));
    for (const [i, raw] of MESSAGES.entries()) expect((await curl(`${base}/${i + 1}`)).equals(raw)).toBe(true);
  });

  test('STLS upgrade with --ssl-reqd, then RETR', async () => {
    const fixture = await serverWithMail({ allowInsecureAuth: false });
    const base = `pop3://127.0.0.1:${fixture.port}`;
    const refused = await run('curl', ['-sS', '--max-time', '20', '-u', `${ADDRESS}:${PASSWORD}`, `${base}/1`]).catch(
      (err: { code: number }) => err,
    );
    expect(refused).toMatchObject({ code: expect.any(Number) });
    expect((await curl(`${base}/2`, '--ssl-reqd', '-k')).equals(MESSAGES[1] as Buffer)).toBe(true);
  });
});

describe.skipIf(!requireTool('fetchmail'))('fetchmail', () => {
  test('downloads every message over STLS into an MDA, survives LAST, and deletes them at QUIT', async () => {
    const fixture = await serverWithMail({ allowInsecureAuth: false });
    const imapProcess = fixture.otherProcess();
    const expunged: number[] = [];
    const unsubscribe = imapProcess.notifier.subscribe(MAILBOX_ID, (event) => {
      if (event.kind === 'expunged' && event.uid !== undefined) expunged.push(event.uid);
    });
    const home = join(fixture.dir.path, 'fetchmail');
    const out = join(home, 'delivered');
    await mkdir(out, { recursive: true });
    const rcfile = join(home, 'fetchmailrc');
    await writeFile(
      rcfile,
      `poll 127.0.0.1 protocol pop3 port ${fixture.port} user "${ADDRESS}" password "${PASSWORD}"\n` +
        '  sslproto "auto" no sslcertck no stripcr\n',
    );
    await chmod(rcfile, 0o600);
    const mda = `cat > "$(mktemp ${out}/msg.XXXXXX)"`;
    const args = ['-f', rcfile, '-N', '--nosyslog', '--invisible', '-v', '--mda', mda, '--pidfile', join(home, 'pid')];
    const { stdout } = await run('fetchmail', args, {
      env: { ...process.env, HOME: home, FETCHMAILHOME: home },
      timeout: 30_000,
    });
    expect(stdout).toContain('upgrade to TLS succeeded');
    expect(stdout).toMatch(/POP3> LAST\s+fetchmail: POP3< -ERR unknown command/);
    expect(stdout).toContain('+OK Bye (3 messages deleted)');

    const files = await readdir(out);
    const delivered = await Promise.all(files.map((name) => readFile(join(out, name))));
    const bySubject = (raw: Buffer) => /Subject: (\w+)/.exec(raw.toString())?.[1];
    const sorted = (list: Buffer[]) =>
      [...list].sort((a, b) => String(bySubject(a)).localeCompare(String(bySubject(b))));
    expect(sorted(delivered)).toEqual(sorted(MESSAGES));

    expect(await remainingCount(fixture)).toBe(0);
    await expect.poll(() => [...expunged].sort()).toEqual([1, 2, 3]);
    unsubscribe();
  });
});
