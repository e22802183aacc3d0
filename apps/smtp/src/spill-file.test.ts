import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';
import { SpillWriter } from './spill-file.js';

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

const message = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i} of the secret message\r\n`).join(''));

async function spill(dir: string, chunkBytes = 1024, pieceBytes = 777) {
  const writer = await SpillWriter.create(dir, chunkBytes);
  for (let i = 0; i < message.length; i += pieceBytes) await writer.write(message.subarray(i, i + pieceBytes));
  return writer.finish();
}

describe('spill file', () => {
  test('reads back exactly, from any offset; the file holds no plaintext and is 0600', async () => {
    await using dir = await tempDir('mailyard-spill-');
    const file = await spill(dir.path);
    expect(file.size).toBe(message.length);
    expect((await collect(file.read())).equals(message)).toBe(true);
    for (const start of [0, 1, 1023, 1024, 1025, 50_000, message.length - 1, message.length]) {
      expect((await collect(file.read(start))).equals(message.subarray(start))).toBe(true);
    }
    const [name] = await readdir(dir.path);
    const onDisk = await readFile(join(dir.path, name ?? ''));
    expect((await stat(join(dir.path, name ?? ''))).mode & 0o777).toBe(0o600);
    expect(onDisk.includes('secret message')).toBe(false);
    expect(onDisk.length).toBe(message.length + Math.ceil(message.length / 1024) * 16);
    await file.remove();
    expect(await readdir(dir.path)).toEqual([]);
  });

  test('a size that is an exact multiple of the chunk reads back whole', async () => {
    await using dir = await tempDir('mailyard-spill-');
    const writer = await SpillWriter.create(dir.path, 1000);
    await writer.write(message.subarray(0, 3000));
    const file = await writer.finish();
    expect((await collect(file.read())).equals(message.subarray(0, 3000))).toBe(true);
  });

  test('an altered or cut file fails to read instead of yielding other bytes', async () => {
    await using dir = await tempDir('mailyard-spill-');
    const file = await spill(dir.path);
    const [name] = await readdir(dir.path);
    const path = join(dir.path, name ?? '');
    const original = await readFile(path);
    const altered = Buffer.from(original);
    altered[5000] = (altered[5000] ?? 0) ^ 1;
    await writeFile(path, altered);
    await expect(collect(file.read())).rejects.toThrow();
    await writeFile(path, original);
    // Cut at a chunk boundary: the new last chunk was sealed as "not last", so it does not authenticate.
    await truncate(path, 2 * (1024 + 16));
    await expect(collect(file.read())).rejects.toThrow();
  });

  test('abort removes the partial file', async () => {
    await using dir = await tempDir('mailyard-spill-');
    const writer = await SpillWriter.create(dir.path, 1024);
    await writer.write(message.subarray(0, 5000));
    await writer.abort();
    expect(await readdir(dir.path)).toEqual([]);
  });
});
