/**
 * Uploads left by a process that died mid-import: a scratch directory under tmp/imports named for a real process
 * that has exited, holding an upload and an unpacked Maildir zip, is removed when another API instance starts over
 * the same data dir, which logs the count and bytes (never the contents); the directory of a real live process
 * (another instance) is left as it is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { captureLog, waitFor } from '@mailyard/testkit';
import { scratchDir } from '@mailyard/transfer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiServer, createApiServer } from '../src/app.js';
import { type Harness, startHarness } from './harness.js';

/** A real process, and its pid; `exited` once it is gone. */
function node(script: string): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

describe('uploads of a stopped API process', () => {
  let h: Harness;
  let live: { child: ChildProcess; exited: Promise<void> };
  let second: ApiServer | undefined;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    live = node('setInterval(() => {}, 60_000)');
  });
  afterAll(async () => {
    await second?.close();
    live.child.kill('SIGKILL');
    await live.exited;
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('the next instance removes a dead process directory and logs what went; a live one is untouched', async () => {
    const base = join(h.config.dataDir, 'tmp', 'imports');
    // This host's boot id and PID namespace, as the transfer package names them.
    const [host, boot, ns] = basename(scratchDir(base)).split('-');
    const gone = node('');
    await gone.exited;
    const dead = join(base, `${host}-${boot}-${ns}-${gone.child.pid}-1`);
    await mkdir(join(dead, '.mailyard-maildir-x', 'Maildir', 'cur'), { recursive: true });
    await writeFile(join(dead, 'upload-0123'), 'From a@example.com\nSubject: plaintext\n\nbody\n');
    await writeFile(join(dead, '.mailyard-maildir-x', 'Maildir', 'cur', '1:2,S'), 'Subject: plaintext\r\n\r\nbody\r\n');
    const pid = live.child.pid as number;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const other = join(base, `${host}-${boot}-${ns}-${pid}-${start}`);
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'upload-4567'), 'held by a live instance');

    const log = captureLog({ level: 'info' });
    second = createApiServer({ config: h.config, logger: log.logger, control: h.control, mailstore: h.mailstore });
    const line = await waitFor(() => log.lines.find((l) => l.msg === 'uploads of stopped processes removed') ?? null);
    expect(line).toMatchObject({ directories: 1, files: 2, bytes: 44 + 28 });
    expect(log.text).not.toContain('plaintext');
    expect(existsSync(dead)).toBe(false);
    expect(await readdir(other)).toEqual(['upload-4567']);
  });
});
