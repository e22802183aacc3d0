import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getSection, indexMessage } from '@mailyard/mail';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type TestStore, testStore } from '../test/fixtures.js';
import { repoRoot } from '../test/processes.js';
import type { MailboxSession, StoredMimePart } from './types.js';

/** ../shared/corpus from the repo root: skip with a reason locally, fail when CI=true. */
function corpusDir(): string | undefined {
  const dir = join(repoRoot, '..', 'shared', 'corpus');
  if (existsSync(dir)) return dir;
  if (process.env.CI === 'true') throw new Error(`mail corpus missing at ${dir}`);
  console.log(`skipping corpus test: no mail corpus at ${dir}`);
  return undefined;
}

const dir = corpusDir();
let t: TestStore;
let s: MailboxSession;

beforeAll(async () => {
  t = await testStore();
  await t.store.createMailbox('corpus', 'pw');
  s = await t.store.open('corpus', 'pw');
});
afterAll(async () => {
  s.close();
  await t.cleanup();
});

function sectionsOf(part: StoredMimePart, out: string[] = []): string[] {
  if (part.path !== '') out.push(part.path, `${part.path}.MIME`);
  for (const child of part.children) sectionsOf(child, out);
  if (part.message) {
    out.push(`${part.path}.HEADER`, `${part.path}.TEXT`);
    for (const child of part.message.children) sectionsOf(child, out);
  }
  return out;
}

test.skipIf(!dir)(
  'every corpus message appends, reads back byte-identical and its sections fetch',
  async () => {
    const files = (await readdir(dir as string)).filter((f) => f.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThan(50);
    let sections = 0;
    for (const file of files) {
      const raw = await readFile(join(dir as string, file));
      const { uid } = await s.append('INBOX', raw);
      expect(s.getRaw('INBOX', uid)?.equals(raw), file).toBe(true);
      const stored = s.getMessage('INBOX', uid);
      expect(stored?.size, file).toBe(raw.length);
      const expectedMime = (await indexMessage(raw)).mime;
      for (const section of ['', 'HEADER', 'TEXT', ...sectionsOf(stored?.mime as StoredMimePart)]) {
        const got = s.getSection('INBOX', uid, section);
        const want = getSection(raw, expectedMime, section);
        expect(got === null ? null : got.equals(want as Buffer), `${file} BODY[${section}]`).toBe(
          want === null ? null : true,
        );
        sections += 1;
      }
    }
    expect(sections).toBeGreaterThan(files.length * 3);
    expect(s.storageStats().attachments).toBeGreaterThan(0);
  },
  60_000,
);
