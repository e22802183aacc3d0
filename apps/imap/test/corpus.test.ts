/**
 * Every message of the shared corpus through APPEND and back: BODY.PEEK[] byte-identical, RFC822.SIZE, a
 * BODYSTRUCTURE the client parses, and every part it names fetching the bytes @mailyard/mail's getSection gives.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { getSection, indexMessage } from '@mailyard/mail';
import { corpusMessages } from '@mailyard/testkit';
import type { ImapFlow, MessageStructureObject } from 'imapflow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fetchOne, type Harness, startHarness } from './harness.js';

const files = corpusMessages();
/** Connections working through the corpus side by side (each in its own folder). */
const CONNECTIONS = 4;
let h: Harness;
const clients: ImapFlow[] = [];

beforeAll(async () => {
  if (files.length === 0) return;
  h = await startHarness();
  const user = await h.addUser('corpus');
  for (let i = 0; i < CONNECTIONS; i++) {
    const client = await h.client(user);
    await client.mailboxCreate(`Corpus${i}`);
    await client.mailboxOpen(`Corpus${i}`);
    clients.push(client);
  }
});
afterAll(async () => h?.close());

function partNumbers(node: MessageStructureObject | undefined): string[] {
  if (!node) return [];
  const own = node.part ? [node.part] : [];
  return [...own, ...(node.childNodes ?? []).flatMap(partNumbers)];
}

async function roundTrip(client: ImapFlow, folder: string, batch: string[]): Promise<void> {
  for (const file of batch) {
    const raw = readFileSync(file);
    const appended = await client.append(folder, raw);
    if (!appended) throw new Error(`APPEND of ${basename(file)} failed`);
    const uid = String(appended.uid);
    const fetched = await fetchOne(client, uid, { source: true, size: true, bodyStructure: true }, { uid: true });
    expect(fetched.source?.equals(raw), `${basename(file)} BODY[]`).toBe(true);
    expect(fetched.size, `${basename(file)} RFC822.SIZE`).toBe(raw.length);
    expect(fetched.bodyStructure, `${basename(file)} BODYSTRUCTURE`).toBeTruthy();
    const parts = partNumbers(fetched.bodyStructure);
    if (parts.length === 0) continue;
    const sections = [...parts, ...parts.map((p) => `${p}.MIME`)];
    const withParts = await fetchOne(client, uid, { bodyParts: sections }, { uid: true });
    const { mime } = await indexMessage(raw);
    for (const section of sections) {
      const expected = getSection(raw, mime, section) ?? Buffer.alloc(0);
      const got = withParts.bodyParts?.get(section.toLowerCase()) ?? withParts.bodyParts?.get(section);
      expect(got?.equals(expected), `${basename(file)} BODY[${section}]`).toBe(true);
    }
  }
}

test.skipIf(files.length === 0)(
  `corpus of ${files.length} messages round-trips`,
  async () => {
    await Promise.all(
      clients.map((client, i) =>
        roundTrip(
          client,
          `Corpus${i}`,
          files.filter((_, n) => n % CONNECTIONS === i),
        ),
      ),
    );
  },
  120_000,
);

test.skipIf(files.length === 0)('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
