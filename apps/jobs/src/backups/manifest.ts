// The manifest of one backup directory: what it holds and a SHA-256 of each file, so a restore can refuse a
// damaged or incomplete backup before touching the data directory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '@mailyard/errors';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** Path relative to the backup directory, which mirrors the data directory layout. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  version: number;
  createdAt: string;
  mailboxes: string[];
  /** Mailboxes that could not be copied this time, with the reason. */
  skipped: Array<{ mailboxId: string; reason: string }>;
  files: ManifestFile[];
}

export async function describeFile(root: string, path: string): Promise<ManifestFile> {
  const full = join(root, path);
  const hash = createHash('sha256');
  await pipeline(createReadStream(full), hash);
  return { path, bytes: (await stat(full)).size, sha256: hash.digest('hex') };
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

export async function readManifest(dir: string): Promise<Manifest> {
  let parsed: Manifest;
  try {
    parsed = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (err) {
    throw new ValidationError(`no readable ${MANIFEST_FILE} in ${dir}`, 'backupDir', { cause: err });
  }
  if (parsed.version !== MANIFEST_VERSION || !Array.isArray(parsed.files)) {
    throw new ValidationError(`unsupported backup manifest version ${parsed.version}`, 'backupDir');
  }
  return parsed;
}

/** Throws ValidationError naming the first file that is missing or differs from the manifest. */
export async function verifyManifest(dir: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    const actual = await describeFile(dir, file.path).catch(() => undefined);
    if (!actual) throw new ValidationError(`backup file ${file.path} is missing`, 'backupDir');
    if (actual.sha256 !== file.sha256) throw new ValidationError(`backup file ${file.path} is damaged`, 'backupDir');
  }
}
