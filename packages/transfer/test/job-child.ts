/**
 * A process that runs one background import and then hangs in the middle of its input, for jobs.test.ts to kill
 * with SIGKILL (a crash: no close(), no last status write). Arguments: data dir, mailbox id, password, how many
 * messages to give before hanging. The upload is in this process's scratch directory under tmp/imports, as the
 * API writes it. Prints `running <job id> <upload path>` once the status file on disk shows them all read.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mailstore } from '@mailyard/mailstore';
import { waitFor } from '@mailyard/testkit';
import { ensureScratchDir, JOBS_DIR, type ReadItem, type TransferJobStatus, TransferJobs } from '../src/index.js';
import { testMessage } from './job-messages.js';

const [dataDir = '', mailboxId = '', password = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const store = new Mailstore({ dataDir, kdf: { N: 1024 } });
const session = await store.open(mailboxId, password);
const jobs = new TransferJobs({ dataDir, heartbeatMs: 50, batchSize: 2 });

async function* hangingAfter(n: number): AsyncGenerator<ReadItem> {
  for (let i = 1; i <= n; i++) yield testMessage(i);
  await new Promise<never>(() => {});
}

const upload = join(await ensureScratchDir(join(dataDir, 'tmp', 'imports')), 'child-upload');
await writeFile(upload, 'the uploaded file');
// The hanging generator holds nothing that keeps Node running: this does, until the kill.
setInterval(() => {}, 60_000);
const job = await jobs.start({
  kind: 'import',
  mailboxId,
  fileName: 'hang.mbox',
  session,
  source: { kind: 'mbox', items: hangingAfter(count), close: async () => {} },
  upload,
});
await waitFor(async () => {
  const text = await readFile(join(dataDir, JOBS_DIR, `${job.id}.json`), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as Partial<TransferJobStatus>).read === count ? true : null;
}, 20_000);
process.stdout.write(`running ${job.id} ${upload}\n`);
