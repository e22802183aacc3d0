/**
 * The encrypted copy of a mailbox database (`VACUUM INTO`), made in a worker thread: the copy reads the whole
 * database, and on the session's own connection it held the process's event loop for its length (every other
 * request of the api process waited). The worker opens its own connection to the database with the data key,
 * which sees one consistent snapshot (VACUUM INTO reads in one transaction; WAL lets the session's connection and
 * other processes keep writing), writes the copy encrypted with the same key, and exits.
 *
 * The worker's code is a short CommonJS script given as a string (no file to find next to the compiled or the
 * source module), loading the same better-sqlite3-multiple-ciphers build the process uses.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.database, { fileMustExist: true });
try {
  db.pragma("cipher='chacha20'");
  db.pragma('key="x\\'' + Buffer.from(workerData.key).toString('hex') + '\\'"');
  db.pragma('busy_timeout = 10000');
  db.prepare('VACUUM INTO ?').run(workerData.target);
} finally {
  db.close();
}
parentPort.postMessage('done');
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');

/** Writes the encrypted copy of the database at `database` (opened with `dataKey`) to `target`, off this thread. */
export function vacuumIntoInWorker(database: string, dataKey: Buffer, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The key is copied into the worker's message (a structured clone); the caller's buffer stays its own.
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { module: driver, database, key: new Uint8Array(dataKey), target },
    });
    let done = false;
    worker.once('message', () => {
      done = true;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (done) resolve();
      else reject(new Error(`the database copy's worker stopped (exit code ${code})`));
    });
  });
}
