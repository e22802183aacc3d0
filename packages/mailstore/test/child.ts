/**
 * Child process for the multi-process tests (spawned with `node --conditions=source --import tsx`).
 *   deliver <dataDir> <mailboxId> <count> <concurrency>   prints "ok <n>" after delivery n returned
 *   append <dataDir> <mailboxId> <password> <count> <tag>  appends through its own handle, prints "done"
 *   listen <dataDir> <mailboxId>                           prints "ready", then one JSON line per event
 *   read <dataDir> <mailboxId> <password>                  a reader that nearly always holds a snapshot, as busy
 *                                                          IMAP sessions do: 50 ms read transactions back to back
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readKeyFile, unwrapWithPassword } from '../src/keys.js';
import { Mailstore } from '../src/mailstore.js';
import { mailboxPaths } from '../src/paths.js';
import { openDatabase } from '../src/schema.js';

const [mode, dataDir = '', mailboxId = '', ...rest] = process.argv.slice(2);
const store = new Mailstore({ dataDir, kdf: { N: 1024 }, notifyPollMs: 100 });

export function testMessage(tag: string): Buffer {
  return Buffer.from(
    `From: a@example.org\r\nTo: b@example.net\r\nSubject: ${tag}\r\nMessage-ID: <${tag}@test>\r\n\r\nbody of ${tag}\r\n`,
  );
}

async function deliver(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await store.deliver(mailboxId, testMessage(`kill-${n}`));
      process.stdout.write(`ok ${n}\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function append(password: string, count: number, tag: string): Promise<void> {
  const session = await store.open(mailboxId, password);
  for (let i = 0; i < count; i++) await session.append('INBOX', testMessage(`${tag}-${i}`));
  session.close();
  process.stdout.write('done\n');
}

function listen(): void {
  store.notifier.subscribe(mailboxId, (event) => process.stdout.write(`${JSON.stringify(event)}\n`));
  process.stdout.write('ready\n');
  setInterval(() => undefined, 1000);
}

async function read(password: string): Promise<void> {
  const paths = mailboxPaths(dataDir, mailboxId);
  const db = openDatabase(paths.db, await unwrapWithPassword(await readKeyFile(paths.keyFile), password));
  const count = db.prepare('SELECT count(*) FROM messages').pluck();
  process.stdout.write('ready\n');
  for (;;) {
    db.exec('BEGIN');
    count.get();
    await sleep(50);
    db.exec('COMMIT');
    await sleep(1);
  }
}

if (mode === 'deliver') await deliver(Number(rest[0]), Number(rest[1]));
else if (mode === 'read') await read(rest[0] ?? '');
else if (mode === 'append') await append(rest[0] ?? '', Number(rest[1]), rest[2] ?? 'x');
else if (mode === 'listen') listen();
if (mode !== 'listen') await store.close();
