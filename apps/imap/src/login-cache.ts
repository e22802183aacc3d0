/**
 * Repeat logins without the password KDF (ARCHITECTURE.md "Logins must stay cheap": clients reconnect
 * constantly). After a login succeeds, a keyed hash of (address, password) maps to the mailbox id for a few
 * minutes. A repeat login with the same pair skips the control store's scrypt check, but still looks the address
 * up (cheap) so a disabled or re-pointed alias stops working at once, and still unlocks through the mail store,
 * which refuses a password that no longer unwraps the mailbox key (its own check, with its own cache).
 * The hash key is random per process and never leaves memory.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { IMAP_LIMITS } from './protocol/limits.js';

const KEY = randomBytes(32);

export class LoginCache {
  readonly #entries = new Map<string, { mailboxId: string; expiresAt: number }>();

  #digest(address: string, password: string): string {
    return createHmac('sha256', KEY).update(address.toLowerCase()).update('\0').update(password).digest('base64');
  }

  /** The mailbox id of a recently verified (address, password), or undefined. */
  get(address: string, password: string): string | undefined {
    const key = this.#digest(address, password);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.mailboxId;
    this.#entries.delete(key);
    return undefined;
  }

  remember(address: string, password: string, mailboxId: string): void {
    const key = this.#digest(address, password);
    this.#entries.delete(key);
    this.#entries.set(key, { mailboxId, expiresAt: Date.now() + IMAP_LIMITS.loginCacheTtlMs });
    if (this.#entries.size <= IMAP_LIMITS.loginCacheEntries) return;
    const oldest = this.#entries.keys().next().value;
    if (oldest !== undefined) this.#entries.delete(oldest);
  }

  forget(address: string, password: string): void {
    this.#entries.delete(this.#digest(address, password));
  }
}
