/**
 * Child process for sign-up-race.test.ts: waits until <startAt> (epoch ms) so that every child starts together,
 * then opens control.db in <dataDir> (racing the others to create and migrate it, as PM2's processes do on a first
 * start), creates <count> accounts at once and prints one JSON line: how many became admins.
 */
import { SqliteControlStore } from '../src/index.js';

const [dataDir = '', masterKeyHex = '', startAt = '0', count = '1', tag = 'child'] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const store = new SqliteControlStore({
  dataDir,
  masterKey: Buffer.from(masterKeyHex, 'hex'),
  scryptCost: { N: 1024, r: 8, p: 1 },
});
const created = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    store.createAccount({ email: `${tag}-${i}@example.org`, password: 'pw' }),
  ),
);
await store.close();
process.stdout.write(
  `${JSON.stringify({ created: created.length, admins: created.filter((a) => a.isAdmin).length })}\n`,
);
