/**
 * Adding a hosted domain: a fresh DKIM key pair (RSA 2048, RFC 8301 §3.2 minimum 1024, 2048 recommended) and an
 * ownership token, stored through the control store. Shared by the REST API, the dashboard and the CLI.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { ControlStore, DmarcPolicy, Domain } from './types.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface DkimKeyPair {
  selector: string;
  /** base64 DER SubjectPublicKeyInfo: the `p=` tag. */
  publicKey: string;
  privateKeyPem: string;
}

/** Selector names the key's month (`my202611`), so a rotated key gets a new, recognisable name. */
export function dkimSelector(now = new Date()): string {
  return `my${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

export async function generateDkimKeyPair(): Promise<DkimKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { selector: dkimSelector(), publicKey: publicKey.toString('base64'), privateKeyPem: privateKey };
}

export async function addDomain(
  control: ControlStore,
  input: {
    accountId: string;
    name: string;
    dmarcPolicy?: DmarcPolicy;
    description?: string;
    /** Mark it verified by an administrator at once; callers check that the requester is one. */
    verified?: boolean;
  },
): Promise<Domain> {
  const dkim = await generateDkimKeyPair();
  return control.createDomain({ ...input, dkim, verificationToken: randomBytes(16).toString('hex') });
}
