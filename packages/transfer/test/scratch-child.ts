/**
 * A process holding an upload as an api instance does while its import runs, for scratch.test.ts: a zipped Maildir
 * written to this process's scratch directory under the base given as argument, opened (so it is unpacked into a
 * private work directory beside it), then held until the test kills the process. Prints `ready <scratch dir>`.
 */
import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { ensureScratchDir, openImportSource, type TransferMessage, writeMaildir } from '../src/index.js';
import { testMessage } from './job-messages.js';

const [base = ''] = process.argv.slice(2);
const dir = await ensureScratchDir(base);

async function* messages(): AsyncGenerator<TransferMessage> {
  for (let i = 1; i <= 3; i++) yield testMessage(i);
}
const tree = join(dir, 'tree', 'Maildir');
await writeMaildir(tree, messages());
const upload = join(dir, 'upload-child');
const zip = new yazl.ZipFile();
const written = pipeline(zip.outputStream, createWriteStream(upload));
for (const entry of await readdir(tree, { recursive: true, withFileTypes: true })) {
  if (entry.isFile()) {
    const full = join(entry.parentPath, entry.name);
    zip.addFile(full, relative(join(tree, '..'), full));
  }
}
zip.end();
await written;
const source = await openImportSource(upload, { workDir: dir });
setInterval(() => {}, 60_000); // held open until the kill
process.stdout.write(`ready ${dir} ${source.kind}\n`);
