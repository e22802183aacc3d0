// The data directory on first start and every start after: its layout with owner-only modes, the master key
// (made once, never overwritten) and the TLS pair. See the layout in the module comment of index.ts.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { withCreationLock } from './creation-lock.js';
import { decodeMasterKey, MASTER_KEY_BYTES } from './master-key.js';
import type { Config } from './schema.js';
import { ensureTlsPair, type TlsPair } from './tls-certificate.js';

export interface DataPaths {
  root: string;
  keys: string;
  masterKeyFile: string;
  controlDb: string;
  mailboxes: string;
  spool: string;
  tls: string;
  tmp: string;
  profiles: string;
  backups: string;
}

export interface RuntimeFiles {
  masterKey: Buffer;
  tls: TlsPair;
  paths: DataPaths;
}

const SUBDIRECTORIES = ['keys', 'mailboxes', 'spool', 'tls', 'tmp', 'profiles', 'backups'] as const;

/** Absolute paths of the data directory layout (nothing is created). */
export function dataPaths(config: Pick<Config, 'dataDir'>): DataPaths {
  const root = resolve(config.dataDir);
  const under = (...names: string[]) => join(root, ...names);
  return {
    root,
    keys: under('keys'),
    masterKeyFile: under('keys', 'master.key'),
    controlDb: under('control.db'),
    mailboxes: under('mailboxes'),
    spool: under('spool'),
    tls: under('tls'),
    tmp: under('tmp'),
    profiles: under('profiles'),
    backups: under('backups'),
  };
}

async function ensurePrivateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

function masterKeyProblem(message: string): ConfigError {
  return new ConfigError([{ setting: 'masterKey', envVar: 'MAILYARD_MASTER_KEY', source: 'master key', message }]);
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  try {
    const key = await readFile(path);
    if (key.length !== MASTER_KEY_BYTES) {
      throw masterKeyProblem(`${path} holds ${key.length} bytes, expected ${MASTER_KEY_BYTES}; restore it from backup`);
    }
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a new key with O_EXCL so a key that exists (another process won the race) is never replaced. */
async function createKeyFile(path: string): Promise<Buffer> {
  const key = randomBytes(MASTER_KEY_BYTES);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readKeyFile(path)) ?? createKeyFile(path);
  }
  try {
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return key;
}

/**
 * The master key: from config.masterKey (MAILYARD_MASTER_KEY) when set, else keys/master.key, made on first
 * start. A configured key that differs from an existing key file is refused: data sealed under the file's
 * key would be unreadable.
 */
async function ensureMasterKey(config: Config, keyFile: string): Promise<Buffer> {
  const existing = await readKeyFile(keyFile);
  if (config.masterKey === undefined) return existing ?? createKeyFile(keyFile);
  const given = decodeMasterKey(config.masterKey);
  if (!given) throw masterKeyProblem('masterKey (MAILYARD_MASTER_KEY): must be 32 bytes as 64 hex digits or base64');
  if (existing && !existing.equals(given)) {
    throw masterKeyProblem(`masterKey (MAILYARD_MASTER_KEY) differs from ${keyFile}; unset one of them`);
  }
  return given;
}

/**
 * Creates the data directory layout (directories mode 0700), the master key on first start (mode 0600, never
 * overwritten) and a self-signed TLS pair in tls/ when none is configured. Safe to call on every start.
 */
export async function ensureRuntimeFiles(config: Config): Promise<RuntimeFiles> {
  const paths = dataPaths(config);
  await ensurePrivateDirectory(paths.root);
  for (const name of SUBDIRECTORIES) await ensurePrivateDirectory(join(paths.root, name));
  return withCreationLock(paths.root, async () => {
    const masterKey = await ensureMasterKey(config, paths.masterKeyFile);
    const tls = await ensureTlsPair(config, paths.tls);
    return { masterKey, tls, paths };
  });
}
