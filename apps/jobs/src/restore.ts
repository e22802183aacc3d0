#!/usr/bin/env node
/**
 * Restores a backup into the data directory. Stop the server first.
 *   node apps/jobs/dist/restore.js <backup-dir> [--data-dir <dir>]
 * The data directory defaults to the configured one (MAILYARD_DATA_DIR, default ./data). keys/master.key must be
 * the one the backup was made under (it is not part of the backup). See docs/operations.md.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@mailyard/config';
import { restoreBackup } from './backups/restore-backup.js';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  const [backupDir] = positionals;
  if (!backupDir || positionals.length > 1) {
    console.error('usage: node apps/jobs/dist/restore.js <backup-dir> [--data-dir <dir>]');
    process.exit(2);
  }
  const dataDir = values['data-dir'] ?? loadConfig().dataDir;
  const report = await restoreBackup(backupDir, dataDir);
  console.log(JSON.stringify({ restored: backupDir, dataDir, ...report }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
