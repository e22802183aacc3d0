/** Concurrent connections per key (client IP, user). Keys at zero are dropped, so the map holds only live keys. */
export class ConnectionCounter {
  readonly maxPerKey: number;
  readonly #counts = new Map<string, number>();

  constructor(maxPerKey: number) {
    this.maxPerKey = maxPerKey;
  }

  /** Counts one connection for `key` and returns its release function, or null when `key` is at the limit. */
  acquire(key: string): (() => void) | null {
    const current = this.count(key);
    if (current >= this.maxPerKey) return null;
    this.#counts.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#decrement(key);
    };
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** Number of keys with at least one connection. */
  get size(): number {
    return this.#counts.size;
  }

  #decrement(key: string): void {
    const next = this.count(key) - 1;
    if (next <= 0) this.#counts.delete(key);
    else this.#counts.set(key, next);
  }
}
