import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';
import { ensureRuntimeFiles } from './runtime-files.js';
import type { Config, DeepPartial } from './schema.js';
import { createSelfSignedPair, isUsableSelfSigned } from './tls-certificate.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailyard-runtime-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'data');
}

function configFor(dataDir: string, overrides: DeepPartial<Config> = {}, env: Record<string, string> = {}): Config {
  return loadConfig({ env, overrides: { hostname: 'mail.example.test', ...overrides, dataDir } });
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensureRuntimeFiles', () => {
  test('processes starting together on a fresh data dir share one master key and one certificate', async () => {
    const dataDir = await tempDataDir();
    const config = configFor(dataDir);
    const runs = await Promise.all(Array.from({ length: 8 }, () => ensureRuntimeFiles(config)));
    const [first] = runs;
    if (!first) throw new Error('no run');
    for (const run of runs) {
      expect(run.masterKey.equals(first.masterKey)).toBe(true);
      expect(run.tls.cert).toBe(first.tls.cert);
      expect(run.tls.key).toBe(first.tls.key);
    }
    expect((await readFile(first.paths.masterKeyFile)).equals(first.masterKey)).toBe(true);
    expect(await readFile(join(first.paths.tls, 'cert.pem'), 'utf8')).toBe(first.tls.cert);
    await expect(stat(join(first.paths.root, '.runtime-files.lock'))).rejects.toThrow();
  });

  test('creates the data layout with owner-only modes, a master key and a self-signed certificate', async () => {
    const dataDir = await tempDataDir();
    const { masterKey, tls, paths } = await ensureRuntimeFiles(configFor(dataDir));

    for (const name of ['', 'keys', 'mailboxes', 'spool', 'tls', 'tmp', 'profiles', 'backups']) {
      expect(await modeOf(join(dataDir, name)), name).toBe(0o700);
    }
    expect(masterKey).toHaveLength(32);
    expect(await modeOf(paths.masterKeyFile)).toBe(0o600);
    expect((await readFile(paths.masterKeyFile)).equals(masterKey)).toBe(true);
    expect(await modeOf(join(paths.tls, 'key.pem'))).toBe(0o600);

    const certificate = new X509Certificate(tls.cert);
    expect(certificate.subject).toContain('CN=mail.example.test');
    expect(certificate.subjectAltName).toContain('DNS:mail.example.test');
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(await readFile(join(paths.tls, 'cert.pem'), 'utf8')).toBe(tls.cert);
  });

  test('later starts reuse the master key and the certificate', async () => {
    const dataDir = await tempDataDir();
    const first = await ensureRuntimeFiles(configFor(dataDir));
    const second = await ensureRuntimeFiles(configFor(dataDir));
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(second.tls).toEqual(first.tls);
  });

  test('a new certificate is made when the hostname changes; the master key stays', async () => {
    const dataDir = await tempDataDir();
    const first = await ensureRuntimeFiles(configFor(dataDir));
    const renamed = await ensureRuntimeFiles(configFor(dataDir, { hostname: 'mx.example.test' }));
    expect(renamed.tls.cert).not.toBe(first.tls.cert);
    expect(new X509Certificate(renamed.tls.cert).checkHost('mx.example.test')).toBe('mx.example.test');
    expect(renamed.masterKey.equals(first.masterKey)).toBe(true);
  });

  test('takes the master key from MAILYARD_MASTER_KEY without writing it to disk', async () => {
    const dataDir = await tempDataDir();
    const hex = 'ab'.repeat(32);
    const { masterKey, paths } = await ensureRuntimeFiles(configFor(dataDir, {}, { MAILYARD_MASTER_KEY: hex }));
    expect(masterKey.toString('hex')).toBe(hex);
    await expect(stat(paths.masterKeyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('refuses a configured master key that differs from the key file', async () => {
    const dataDir = await tempDataDir();
    const { masterKey } = await ensureRuntimeFiles(configFor(dataDir));
    const other = Buffer.alloc(32, 1).toString('base64');
    const attempt = ensureRuntimeFiles(configFor(dataDir, {}, { MAILYARD_MASTER_KEY: other }));
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/differs from/);
    const same = await ensureRuntimeFiles(configFor(dataDir, {}, { MAILYARD_MASTER_KEY: masterKey.toString('hex') }));
    expect(same.masterKey.equals(masterKey)).toBe(true);
  });

  test('refuses a truncated key file instead of replacing it', async () => {
    const dataDir = await tempDataDir();
    const { paths } = await ensureRuntimeFiles(configFor(dataDir));
    await writeFile(paths.masterKeyFile, Buffer.alloc(10));
    await expect(ensureRuntimeFiles(configFor(dataDir))).rejects.toThrow(/holds 10 bytes/);
    expect(await readFile(paths.masterKeyFile)).toHaveLength(10);
  });

  test('uses the configured certificate files, and names the setting when one is missing', async () => {
    const dataDir = await tempDataDir();
    const pair = createSelfSignedPair('configured.example.test');
    const keyPath = join(dataDir, '..', 'key.pem');
    const certPath = join(dataDir, '..', 'cert.pem');
    await writeFile(keyPath, pair.key);
    await writeFile(certPath, pair.cert);
    const { tls } = await ensureRuntimeFiles(configFor(dataDir, { tls: { keyPath, certPath } }));
    expect(tls).toEqual(pair);

    const missing = ensureRuntimeFiles(configFor(dataDir, { tls: { keyPath, certPath: `${certPath}.gone` } }));
    await expect(missing).rejects.toThrow(/tls\.certPath \(MAILYARD_TLS_CERT_PATH\): cannot read/);
  });
});

describe('isUsableSelfSigned', () => {
  const pair = createSelfSignedPair('host.example.test');

  test('accepts a fresh matching pair for its host and refuses the rest', () => {
    expect(isUsableSelfSigned(pair, 'host.example.test')).toBe(true);
    expect(isUsableSelfSigned(pair, 'other.example.test')).toBe(false);
    expect(isUsableSelfSigned(pair, 'host.example.test', Date.now() + 900 * 86_400_000)).toBe(false);
    const other = createSelfSignedPair('host.example.test');
    expect(isUsableSelfSigned({ key: other.key, cert: pair.cert }, 'host.example.test')).toBe(false);
    expect(isUsableSelfSigned({ key: 'junk', cert: 'junk' }, 'host.example.test')).toBe(false);
  });
});
