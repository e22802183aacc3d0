import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { CONTROL_DATABASE_FILE, controlBackupFiles } from './backup-files.js';
import { SqliteControlStore } from './sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('names the database the SQLite backend writes, once it exists', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailyard-control-backup-'));
  dirs.push(dataDir);
  expect(await controlBackupFiles(dataDir)).toEqual({ databases: [] });
  const store = new SqliteControlStore({ dataDir, masterKey: Buffer.alloc(32, 7) });
  await store.close();
  expect(await controlBackupFiles(dataDir)).toEqual({ databases: [CONTROL_DATABASE_FILE] });
  expect(CONTROL_DATABASE_FILE).toBe('control.db');
});
