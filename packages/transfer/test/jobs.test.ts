/**
 * The background import tracker over a real mail store in a temp dir: a status outlives the tracker that ran it
 * (a new instance over the same data dir reads it); a graceful stop and a crash (a child process killed with
 * SIGKILL mid-import) both leave the job `interrupted`, saying what was imported, and the same input again
 * imports only the rest, and the killed process's upload is removed once its job reads as interrupted (never
 * while it lives); another mailbox never sees the job; old statuses are pruned.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Mailstore } from '@mailyard/mailstore';
import { type TempDir, tempDir, tsxLoader, waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  JOBS_DIR,
  type ReadItem,
  removeGoneScratch,
  STATUS_KEEP_MS,
  type TransferJobStatus,
  TransferJobs,
  type TransferJobsOptions,
} from '../src/index.js';
import { testMessage } from './job-messages.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** Gives `n` messages, then waits for release() before each further one. */
function gatedSource(n: number, total: number) {
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  async function* items(): AsyncGenerator<ReadItem> {
    for (let i = 1; i <= total; i++) {
      if (i > n) await gate;
      yield testMessage(i);
    }
  }
  return {
    source: { kind: 'mbox' as const, items: items(), close: async () => {} },
    release() {
      open();
      gate = Promise.resolve();
    },
  };
}

async function* messages(from: number, to: number): AsyncGenerator<ReadItem> {
  for (let i = from; i <= to; i++) yield testMessage(i);
}

describe('background import statuses in the data dir', () => {
  let dir: TempDir;
  let store: Mailstore;
  const trackers: TransferJobs[] = [];
  const tracker = (opts: Partial<TransferJobsOptions> = {}) => {
    const t = new TransferJobs({ dataDir: dir.path, batchSize: 2, ...opts });
    trackers.push(t);
    return t;
  };
  const upload = async (name: string) => {
    const path = join(dir.path, name);
    await writeFile(path, 'uploaded');
    return path;
  };
  const finished = (t: TransferJobs, id: string, mailboxId = 'box1') =>
    waitFor(async () => {
      const s = await t.get(id, mailboxId);
      return s && s.state !== 'queued' && s.state !== 'running' ? s : null;
    }, 20_000);

  beforeEach(async () => {
    dir = await tempDir('mailyard-jobs-');
    store = new Mailstore({ dataDir: dir.path, kdf: { N: 1024 } });
    await store.createMailbox('box1', 'pw');
    await store.createMailbox('box2', 'pw');
  });
  afterEach(async () => {
    for (const t of trackers.splice(0)) await t.close();
    await store.close();
    await dir.cleanup();
  });

  test('a finished status is read by a new tracker; another mailbox does not see it; the upload is deleted', async () => {
    const a = tracker();
    const file = await upload('u1');
    const started = await a.start({
      kind: 'import',
      mailboxId: 'box1',
      fileName: 'one.mbox',
      session: await store.open('box1', 'pw'),
      source: { kind: 'mbox', items: messages(1, 5), close: async () => {} },
      upload: file,
    });
    expect(started.id).toMatch(/^I[0-9a-f]{24}$/);
    expect(started.state).toBe('queued');
    const done = await finished(a, started.id);
    expect(done).toMatchObject({ state: 'done', read: 5, imported: 5, duplicates: 0, error: null, format: 'mbox' });
    expect(existsSync(file)).toBe(false);
    await a.close();

    const b = tracker();
    expect(await b.get(started.id, 'box1')).toEqual(done);
    expect(await b.get(started.id, 'box2')).toBeUndefined();
    expect(await b.get('../../etc/passwd', 'box1')).toBeUndefined();
    expect((await b.forMailbox('box1')).map((s) => s.id)).toEqual([started.id]);
    expect(await b.forMailbox('box2')).toEqual([]);
  });

  test('close() stops a running import between two messages; a new tracker reports it interrupted with what was imported', async () => {
    const a = tracker();
    const gated = gatedSource(3, 6);
    const session = await store.open('box1', 'pw');
    const { id } = await a.start({
      kind: 'import',
      mailboxId: 'box1',
      fileName: 'big.mbox',
      session,
      source: gated.source,
      upload: await upload('u2'),
    });
    await waitFor(async () => ((await a.get(id, 'box1'))?.read === 3 ? true : null), 20_000);
    const closing = a.close();
    gated.release();
    await closing;

    const b = tracker();
    const status = (await b.get(id, 'box1')) as TransferJobStatus;
    expect(status).toMatchObject({ state: 'interrupted', read: 3, imported: 3, duplicates: 0 });
    expect(status.finishedAt).not.toBeNull();
    expect(status.error).toContain('3 imported');
    expect(status.error).toContain('skipped as duplicates');

    // The same input again through the new tracker: the first three are duplicates, the rest imported.
    const again = await b.start({
      kind: 'import',
      mailboxId: 'box1',
      fileName: 'big.mbox',
      session: await store.open('box1', 'pw'),
      source: { kind: 'mbox', items: messages(1, 6), close: async () => {} },
      upload: await upload('u3'),
    });
    expect(await finished(b, again.id)).toMatchObject({ state: 'done', imported: 3, duplicates: 3 });
    const check = await store.open('box1', 'pw');
    expect(check.listMessages('INBOX')).toHaveLength(6);
    check.close();
  });

  test('a process killed mid-import stops beating: its job reads as interrupted, with what it had stored', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', tsxLoader(), join(here, 'job-child.ts'), dir.path, 'box1', 'pw', '5'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (l) => {
          if (l.startsWith('running ')) resolve(l);
        });
        child.once('exit', () => reject(new Error('the child exited before its import ran')));
      });
      const [, id = '', childUpload = ''] = line.split(' ');
      // Alive: another tracker (another instance) sees it running, and leaves its upload alone.
      const imports = join(dir.path, 'tmp', 'imports');
      const other = tracker({ staleMs: 2_000, scratch: [imports] });
      expect((await other.get(id, 'box1'))?.state).toBe('running');
      expect(await removeGoneScratch([imports])).toEqual({ directories: 0, files: 0, bytes: 0 });
      expect(existsSync(childUpload)).toBe(true);
      child.kill('SIGKILL');
      await exited;
      const status = await waitFor(async () => {
        const s = await other.get(id, 'box1');
        return s?.state === 'interrupted' ? s : null;
      }, 20_000);
      // Batches of two: four messages were stored when the fifth was read; the fifth was not.
      expect(status).toMatchObject({ read: 5, imported: 4 });
      expect(status.error).toContain('Upload the same file again');
      // Reading the stale status removed the dead process's scratch directory, its upload with it.
      await waitFor(() => (existsSync(dirname(childUpload)) ? null : true), 20_000);
      const check = await store.open('box1', 'pw');
      expect(check.listMessages('INBOX')).toHaveLength(4);
      check.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 60_000);

  test('statuses older than STATUS_KEEP_MS are pruned when a job starts', async () => {
    const a = tracker();
    const start = async (n: number) =>
      a.start({
        kind: 'import',
        mailboxId: 'box2',
        fileName: null,
        session: await store.open('box2', 'pw'),
        source: { kind: 'mbox', items: messages(n, n), close: async () => {} },
        upload: await upload(`p${n}`),
      });
    const old = await start(1);
    await finished(a, old.id, 'box2');
    const past = new Date(Date.now() - STATUS_KEEP_MS - 60_000);
    await utimes(join(dir.path, JOBS_DIR, `${old.id}.json`), past, past);
    const recent = await start(2);
    await finished(a, recent.id, 'box2');
    expect(await readdir(join(dir.path, JOBS_DIR))).toEqual([`${recent.id}.json`]);
    expect(await a.get(old.id, 'box2')).toBeUndefined();
  });
});
