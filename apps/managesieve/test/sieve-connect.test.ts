/**
 * ManageSieve with Debian's sieve-connect as a real client: STARTTLS (the server's self-signed certificate, so
 * --notlsverify), SASL PLAIN with the mailbox password, then upload, list, activate, view, checkscript (a script
 * with a syntax error: the server's line and column reach the user), deactivate and delete. Skips with a printed
 * reason when sieve-connect is missing, fails when CI=true.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool, tempDir } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { ADDRESS, PASSWORD, type SieveFixture, startManageSieve } from './fixture.js';

const hasSieveConnect = requireTool('sieve-connect');
let fixture: SieveFixture | undefined;
afterEach(async () => {
  await fixture?.close();
});

interface Run {
  code: number | null;
  output: string;
}

/** sieve-connect with the password on fd 0 (never on the command line), over STARTTLS to the fixture. */
function sieveConnect(port: number, args: string[]): Promise<Run> {
  const base = ['--nosrv', '--server', '127.0.0.1', '--port', String(port), '--user', ADDRESS, '--passwordfd', '0'];
  const child = spawn('sieve-connect', [...base, '--notlsverify', '--authmech', 'PLAIN', ...args], {
    env: { ...process.env, HOME: process.env.HOME ?? '/tmp' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stdin.end(`${PASSWORD}\n`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`sieve-connect timed out: ${output}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test.skipIf(!hasSieveConnect)(
  'sieve-connect uploads, lists, activates, shows, checks and deletes scripts',
  async () => {
    fixture = await startManageSieve({}, false);
    const dir = await tempDir('sieve-connect-');
    try {
      const script =
        'require ["fileinto", "imap4flags"];\nif address :is "from" "boss@example.org" {\n  addflag "\\\\Flagged";\n  fileinto "Boss";\n}\n';
      const good = join(dir.path, 'rules.sieve');
      const bad = join(dir.path, 'broken.sieve');
      await writeFile(good, script);
      await writeFile(bad, 'require "fileinto";\nfileinto "A"\n');
      const { port, control, alice } = fixture;

      const upload = await sieveConnect(port, ['--upload', '--localsieve', good, '--remotesieve', 'rules']);
      expect(upload.code, upload.output).toBe(0);
      expect((await control.getSieveScript(alice.id, 'rules'))?.content).toBe(script);

      const activate = await sieveConnect(port, ['--activate', '--remotesieve', 'rules']);
      expect(activate.code, activate.output).toBe(0);
      expect((await control.getActiveSieveScript(alice.id))?.name).toBe('rules');

      const list = await sieveConnect(port, ['--list']);
      expect(list.code, list.output).toBe(0);
      expect(list.output).toBe('"rules" ACTIVE\n');

      const download = join(dir.path, 'downloaded.sieve');
      const get = await sieveConnect(port, ['--download', '--remotesieve', 'rules', '--localsieve', download]);
      expect(get.code, get.output).toBe(0);
      expect(await readFile(download, 'utf8')).toBe(script);

      const check = await sieveConnect(port, ['--checkscript', '--localsieve', bad]);
      expect(check.code).not.toBe(0);
      expect(check.output).toMatch(/line 3, column 1/);
      expect((await control.listSieveScripts(alice.id)).map((s) => s.name)).toEqual(['rules']);

      const refused = await sieveConnect(port, ['--upload', '--localsieve', bad, '--remotesieve', 'broken']);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/line 3, column 1/);

      const deactivate = await sieveConnect(port, ['--deactivate']);
      expect(deactivate.code, deactivate.output).toBe(0);
      expect(await control.getActiveSieveScript(alice.id)).toBeNull();

      const remove = await sieveConnect(port, ['--delete', '--remotesieve', 'rules']);
      expect(remove.code, remove.output).toBe(0);
      expect(await control.listSieveScripts(alice.id)).toEqual([]);
    } finally {
      await dir.cleanup();
    }
  },
);

test.skipIf(!hasSieveConnect)('sieve-connect with a wrong password fails and the failure is logged', async () => {
  fixture = await startManageSieve({}, false);
  const child = spawn('sieve-connect', [
    '--nosrv',
    '--server',
    '127.0.0.1',
    '--port',
    String(fixture.port),
    '--user',
    ADDRESS,
    '--passwordfd',
    '0',
    '--notlsverify',
    '--authmech',
    'PLAIN',
    '--list',
  ]);
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stdin.end('not the password\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output).not.toBe(0);
  expect(fixture.logs.some((line) => line.msg === 'authentication failed')).toBe(true);
});
