// The TLS pair every listener uses: the configured files, or a self-signed certificate made on first start in
// data/tls (key.pem mode 0600, cert.pem) and reused while it is valid, matches its key and names the hostname.
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { generate } from 'selfsigned';
import { ConfigError } from './config-error.js';
import type { Config } from './schema.js';

export interface TlsPair {
  key: string;
  cert: string;
}

const VALIDITY_DAYS = 825;
const RENEW_BEFORE_MS = 7 * 86_400_000;

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readConfiguredFile(path: string, setting: string, envVar: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    const message = `${setting} (${envVar}): cannot read ${JSON.stringify(path)}: ${reason}; allowed: a readable PEM file`;
    throw new ConfigError([{ setting, envVar, value: path, source: 'configuration', message }]);
  }
}

/** True when the pair can still serve `hostname`: parses, matches, is not about to expire, names the host. */
export function isUsableSelfSigned(pair: TlsPair, hostname: string, now = Date.now()): boolean {
  try {
    const certificate = new X509Certificate(pair.cert);
    if (!certificate.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (Date.parse(certificate.validTo) - now < RENEW_BEFORE_MS) return false;
    return certificate.checkHost(hostname) !== undefined;
  } catch {
    return false;
  }
}

/** RSA 2048 from Node's native crypto: selfsigned (node-forge) would make it in JavaScript, 4x slower. */
function rsaKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** A self-signed server certificate for `hostname`, localhost and 127.0.0.1 (RSA 2048, SHA-256). */
export function createSelfSignedPair(hostname: string): TlsPair {
  const altNames = [
    { type: 2, value: hostname },
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
  ];
  // keyPair is a documented selfsigned option missing from its type definitions.
  const options: Parameters<typeof generate>[1] & { keyPair: ReturnType<typeof rsaKeyPair> } = {
    keyPair: rsaKeyPair(),
    days: VALIDITY_DAYS,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  };
  // selfsigned (node-forge, 10 MB RSS) is loaded only to make a certificate, not by every process at start.
  const selfsigned = createRequire(import.meta.url)('selfsigned') as typeof import('selfsigned');
  const pems = selfsigned.generate([{ name: 'commonName', value: hostname }], options);
  return { key: pems.private, cert: pems.cert };
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode, flush: true });
  await rename(temporary, path);
}

/** The configured TLS pair, or the self-signed one in `tlsDir` (made or renewed when needed). */
export async function ensureTlsPair(config: Config, tlsDir: string): Promise<TlsPair> {
  const { keyPath, certPath } = config.tls;
  if (keyPath && certPath) {
    const key = await readConfiguredFile(keyPath, 'tls.keyPath', 'MAILYARD_TLS_KEY_PATH');
    const cert = await readConfiguredFile(certPath, 'tls.certPath', 'MAILYARD_TLS_CERT_PATH');
    return { key, cert };
  }
  const keyFile = join(tlsDir, 'key.pem');
  const certFile = join(tlsDir, 'cert.pem');
  const [key, cert] = await Promise.all([readIfPresent(keyFile), readIfPresent(certFile)]);
  if (key && cert && isUsableSelfSigned({ key, cert }, config.hostname)) return { key, cert };
  const pair = createSelfSignedPair(config.hostname);
  await writeAtomically(keyFile, pair.key, 0o600);
  await writeAtomically(certFile, pair.cert, 0o644);
  return pair;
}
