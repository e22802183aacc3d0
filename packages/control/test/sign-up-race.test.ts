/**
 * The first-account rule across real processes: several processes (api, web instances, the CLI) creating accounts
 * at the same moment on one control.db still make exactly one administrator.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot, tempDir, tsxLoader } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { SqliteControlStore } from '../src/index.js';

const run = promisify(execFile);
const child = join(dirname(fileURLToPath(import.meta.url)), 'sign-up-child.ts');

test('three processes racing to create, migrate and sign up on one new control.db make exactly one administrator', async () => {
  await using dir = await tempDir('mailyard-control-race-');
  const masterKey = randomBytes(32);
  const startAt = String(Date.now() + 2_000);
  const outputs = await Promise.all(
    ['p1', 'p2', 'p3'].map((tag) =>
      run(
        process.execPath,
        ['--conditions=source', '--import', tsxLoader(), child, dir.path, masterKey.toString('hex'), startAt, '6', tag],
        { cwd: repoRoot(), timeout: 30_000 },
      ),
    ),
  );
  const results = outputs.map(({ stdout }) => JSON.parse(stdout) as { created: number; admins: number });
  expect(results.map((r) => r.created)).toEqual([6, 6, 6]);
  expect(results.reduce((sum, r) => sum + r.admins, 0)).toBe(1);
  const store = new SqliteControlStore({ dataDir: dir.path, masterKey });
  try {
    expect(await store.countAccounts()).toBe(18);
  } finally {
    await store.close();
  }
}, 40_000);
