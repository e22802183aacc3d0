/**
 * Whether Redis may be used right now, and the one warning per outage.
 *
 * An outage starts at the first failure (a connection error or close, a command that failed or timed out): one
 * warning is logged, and for COORDINATION_LIMITS.probeIntervalMs every call goes straight to the per-process
 * fallback, so a hung Redis costs one command timeout per interval instead of one per call. It ends when both
 * connections are ready and a command succeeds again (or a connection reports ready): one info line. Nothing
 * here throws.
 */
import type { Logger } from '@mailyard/logger';
import { redactText } from '@mailyard/logger';
import { COORDINATION_LIMITS } from './limits.js';

export interface HealthOptions {
  logger: Logger;
  /** describeRedisUrl() of the address: never the password. */
  target: string;
  /** The connections in use (commands, and the subscriber once something subscribed) are in ioredis's 'ready' state. */
  connected: () => boolean;
}

/** What is logged of a Redis error: its code and message, never its command arguments (an AUTH carries a password). */
export function errorSummary(err: unknown): { code?: string; message: string } {
  if (!(err instanceof Error)) return { message: redactText(String(err)) };
  const code = (err as { code?: unknown }).code;
  return { ...(typeof code === 'string' ? { code } : {}), message: redactText(err.message) };
}

export class RedisHealth {
  readonly #options: HealthOptions;
  #inOutage = false;
  #skipUntil = 0;
  #outages = 0;
  readonly #listeners = new Set<(inOutage: boolean) => void>();

  constructor(options: HealthOptions) {
    this.#options = options;
  }

  /** Calls `listener` when an outage starts (true) and when it ends (false); returns how to stop. */
  onChange(listener: (inOutage: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get inOutage(): boolean {
    return this.#inOutage;
  }

  /** Whether a call should try Redis now. */
  usable(): boolean {
    return this.#options.connected() && Date.now() >= this.#skipUntil;
  }

  /** Outages seen so far (each logged one warning). */
  get outages(): number {
    return this.#outages;
  }

  failed(err: unknown): void {
    this.#skipUntil = Date.now() + COORDINATION_LIMITS.probeIntervalMs;
    if (this.#inOutage) return;
    this.#inOutage = true;
    this.#outages += 1;
    this.#options.logger.warn(
      { redis: this.#options.target, failure: errorSummary(err) },
      'Redis unreachable: limits, locks and events fall back to this process (and files on this machine)',
    );
    this.#tell(true);
  }

  /** A command worked, or a connection became ready: ends the outage when both connections are up. */
  succeeded(): void {
    if (!this.#inOutage || !this.#options.connected()) return;
    this.#inOutage = false;
    this.#skipUntil = 0;
    this.#options.logger.info({ redis: this.#options.target }, 'Redis reachable again: coordination is shared again');
    this.#tell(false);
  }

  #tell(inOutage: boolean): void {
    for (const listener of [...this.#listeners]) listener(inOutage);
  }
}
