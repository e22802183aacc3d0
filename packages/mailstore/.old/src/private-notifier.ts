/**
 * Keeps folder names out of the change transport: notification files (or Redis) are outside the encrypted
 * database, so a folder name other than INBOX travels sealed (AES-256-GCM under a key derived from the
 * mailbox data key) and is opened again on receipt by processes that hold the mailbox unlocked. A receiver
 * without the key sees folder '' (some folder changed). Mailstore.notifier is this wrapper.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { ChangeEvent, ChangeNotifier } from './types.js';

const PREFIX = 'sealed:';

export function notifyKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'mailyard notify folder', 32));
}

function sealFolder(key: Buffer, folder: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(folder, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return PREFIX + Buffer.concat([nonce, body]).toString('base64');
}

function openFolder(key: Buffer, sealed: string): string | null {
  const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (bytes.length < 28) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export class PrivateNotifier implements ChangeNotifier {
  readonly #transport: ChangeNotifier;
  readonly #keyFor: (mailboxId: string) => Buffer | null;

  constructor(transport: ChangeNotifier, keyFor: (mailboxId: string) => Buffer | null) {
    this.#transport = transport;
    this.#keyFor = keyFor;
  }

  publish(event: ChangeEvent): void {
    if (event.folder === '' || event.folder === 'INBOX') {
      this.#transport.publish(event);
      return;
    }
    const key = this.#keyFor(event.mailboxId);
    this.#transport.publish({ ...event, folder: key ? sealFolder(key, event.folder) : '' });
  }

  subscribe(mailboxId: string, cb: (event: ChangeEvent) => void): () => void {
    return this.#transport.subscribe(mailboxId, (event) => {
      if (!event.folder.startsWith(PREFIX)) return cb(event);
      const key = this.#keyFor(mailboxId);
      const folder = key ? openFolder(key, event.folder) : null;
      cb({ ...event, folder: folder ?? '' });
    });
  }

  close(): Promise<void> | void {
    return this.#transport.close?.();
  }
}
