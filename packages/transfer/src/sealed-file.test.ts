import { randomBytes } from 'node:crypto';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { createSealedFile, readSealedFile, SEALED_CHUNK_BYTES, type SealedFile } from './sealed-file.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

async function seal(path: string, plain: Buffer, pieces = 7): Promise<SealedFile> {
  const { input, done } = createSealedFile(path);
  const step = Math.max(1, Math.ceil(plain.length / pieces));
  for (let at = 0; at < plain.length; at += step) input.write(plain.subarray(at, at + step));
  input.end();
  return done;
}

test('round trip of sizes around the chunk size, whole and by ranges across chunk borders', async () => {
  await using dir = await tempDir('mailyard-sealed-');
  for (const size of [
    0,
    1,
    SEALED_CHUNK_BYTES - 1,
    SEALED_CHUNK_BYTES,
    SEALED_CHUNK_BYTES + 1,
    3 * SEALED_CHUNK_BYTES + 17,
  ]) {
    const plain = randomBytes(size);
    const path = join(dir.path, `f${size}`);
    const file = await seal(path, plain);
    expect(file.size).toBe(size);
    expect((await stat(path)).size).toBe(size + Math.ceil(size / SEALED_CHUNK_BYTES) * 16);
    expect(Buffer.compare(await collect(readSealedFile(file)), plain)).toBe(0);
    if (size < 2) continue;
    for (const [start, end] of [
      [0, 0],
      [1, size - 1],
      [Math.floor(size / 2), size - 1],
      [SEALED_CHUNK_BYTES - 3, Math.min(size - 1, SEALED_CHUNK_BYTES + 3)],
    ] as const) {
      if (start > end || start >= size) continue;
      const part = await collect(readSealedFile(file, { start, end }));
      expect(Buffer.compare(part, plain.subarray(start, end + 1)), `${size}: ${start}-${end}`).toBe(0);
    }
  }
});

test('the file holds no plaintext; a wrong key, an altered byte or a truncated file fails to read', async () => {
  await using dir = await tempDir('mailyard-sealed-');
  const plain = Buffer.from('Subject: a secret subject line\r\n\r\n'.repeat(5000));
  const path = join(dir.path, 'export');
  const file = await seal(path, plain);
  expect((await readFile(path)).includes('secret subject')).toBe(false);
  await expect(collect(readSealedFile({ ...file, key: randomBytes(32) }))).rejects.toThrow();
  const bytes = await readFile(path);
  bytes[SEALED_CHUNK_BYTES + 20] = (bytes[SEALED_CHUNK_BYTES + 20] ?? 0) ^ 1;
  await writeFile(path, bytes);
  // The first chunk still reads; the altered second one does not.
  expect((await collect(readSealedFile(file, { start: 0, end: 99 }))).length).toBe(100);
  await expect(collect(readSealedFile(file))).rejects.toThrow();
  await truncate(path, 1000);
  await expect(collect(readSealedFile(file, { start: 0, end: 99 }))).rejects.toThrow(/shorter/);
});
