// Fuzzing the MIME splitter and indexer (parseMimeTree through indexMessageSync), by direct calls: random bytes,
// and mutations of the shared corpus messages (bit flips, truncations, splices of two messages, duplicated
// ranges, duplicated header and boundary lines, inserted junk). For every input: no throw, every offset of the
// tree inside the message and in order, every part's BODY[n], BODY[n.MIME] and BINARY readable, a bounded time
// per message, and heap growth over the run within a generous bound. A fixed seed and count in CI; FUZZ_SEED and
// FUZZ_COUNT for longer runs (scripts/fuzz.mjs --target mime). The corpus is read in place from ../shared/corpus:
// absent, the random-bytes half still runs locally, and CI fails (corpusMessages' rule).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusMessages, createPrng, fuzzRun, mutate, type Prng } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { getBinarySection } from './binary.js';
import { indexMessageSync } from './index-message.js';
import { getSection } from './section.js';
import type { MimePart } from './types.js';

const RUN = fuzzRun({ seed: 20261204, count: 1500 });
/** Slowest acceptable indexing of one input of at most ~1 MB: far above the normal few milliseconds. */
const MAX_MS_PER_INPUT = 3_000;
/** Heap growth allowed over the whole run; a leak of the inputs themselves would be hundreds of MB. */
const MAX_HEAP_GROWTH_BYTES = 128 * 1024 * 1024;

const corpus = corpusMessages().map((file) => readFileSync(file));

function randomInput(prng: Prng): Buffer {
  if (prng.chance(0.5)) return prng.bytes(prng.int(4096));
  // Random bytes with a message's skeleton: header-ish lines, a multipart type, boundaries at random.
  const boundary = prng.chance(0.5) ? 'b' : prng.bytes(prng.between(1, 80)).toString('latin1');
  const parts = Array.from({ length: prng.int(6) }, () =>
    [`--${boundary}`, 'Content-Type: text/plain', '', prng.bytes(prng.int(200)).toString('latin1')].join('\r\n'),
  );
  return Buffer.from(
    [
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      ...parts,
      prng.chance(0.5) ? `--${boundary}--` : '',
    ].join(prng.chance(0.8) ? '\r\n' : '\n'),
    'latin1',
  );
}

function nextInput(prng: Prng): Buffer {
  if (corpus.length === 0 || prng.chance(0.15)) return randomInput(prng);
  return mutate(prng.pick(corpus), prng, prng.pick(corpus));
}

/** Every part of the tree with its IMAP section path, message/rfc822 contents included. */
function* parts(node: MimePart): Generator<MimePart> {
  yield node;
  for (const child of node.children) yield* parts(child);
  if (node.message) yield* parts(node.message);
}

function checkPart(raw: Buffer, root: MimePart, part: MimePart): void {
  const { headerStart, headerEnd, bodyStart, bodyEnd } = part;
  const ordered = 0 <= headerStart && headerStart <= headerEnd && headerEnd <= bodyStart && bodyStart <= bodyEnd;
  if (!ordered || bodyEnd > raw.length) {
    throw new Error(`part ${part.path} offsets out of order or range: ${JSON.stringify(part)} in ${raw.length} bytes`);
  }
  if (part.path === '') return;
  if (getSection(raw, root, part.path) === null) throw new Error(`BODY[${part.path}] unreadable`);
  if (getSection(raw, root, `${part.path}.MIME`) === null) throw new Error(`BODY[${part.path}.MIME] unreadable`);
  getBinarySection(raw, root, part.path);
}

function check(raw: Buffer): void {
  const indexed = indexMessageSync(raw);
  expect(indexed.size).toBe(raw.length);
  for (const part of parts(indexed.mime)) checkPart(raw, indexed.mime, part);
  JSON.stringify(indexed.bodystructure);
  JSON.stringify(indexed.envelope);
}

test(`MIME splitter: seed ${RUN.seed}, ${RUN.count} random and mutated messages, no throw, offsets in range`, () => {
  const prng = createPrng(RUN.seed);
  const heapBefore = process.memoryUsage().heapUsed;
  let slowest = 0;
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < RUN.count; i++) {
    const raw = nextInput(prng);
    bytes += raw.length;
    const t0 = performance.now();
    try {
      check(raw);
    } catch (err) {
      const saved = join(tmpdir(), `mailyard-mime-fuzz-${RUN.seed}-${i}.eml`);
      writeFileSync(saved, raw);
      throw new Error(`input ${i} of seed ${RUN.seed} (${raw.length} bytes, saved as ${saved}): ${String(err)}`, {
        cause: err,
      });
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (ms > MAX_MS_PER_INPUT) throw new Error(`input ${i} of seed ${RUN.seed} took ${Math.round(ms)} ms`);
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  console.log(
    `mime fuzz: seed ${RUN.seed}, ${RUN.count} inputs (${corpus.length} corpus messages), ${(bytes / 1e6).toFixed(1)} MB, ` +
      `${Math.round(performance.now() - started)} ms, slowest ${Math.round(slowest)} ms, heap +${(heapGrowth / 1e6).toFixed(1)} MB`,
  );
  expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
});
