/**
 * Failed POP3 logins per client IP, through @mailyard/limits' RateLimiter. Only failures count, so clients that
 * reconnect all day (fetchmail polls, phones wake) are never limited; once an IP has failed more than the limit
 * allows, its next attempts are refused without checking the password until the limiter would admit one again.
 */
import { RateLimitError } from '@mailyard/errors';
import { RateLimiter } from '@mailyard/limits';

/**
 * 10 failures per IP per hour: a person mistyping a password gets several tries, a guesser gets 240 a day per
 * address instead of thousands a minute. The default when no figure is given; processes take
 * pop3.authFailuresPerIpPerHour (same default) from configuration through createPop3Limits.
 */
export const AUTH_FAILURES_PER_IP = 10;
export const AUTH_FAILURE_WINDOW_MS = 60 * 60 * 1000;

export class AuthFailureGate {
  readonly #limiter: RateLimiter;
  /** IPs over the limit and when they may try again (epoch ms); entries are dropped once past. */
  readonly #blockedUntil = new Map<string, number>();
  readonly #now: () => number;

  constructor(opts: { failures?: number; windowMs?: number; now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#limiter = new RateLimiter({
      points: opts.failures ?? AUTH_FAILURES_PER_IP,
      durationMs: opts.windowMs ?? AUTH_FAILURE_WINDOW_MS,
      now: this.#now,
    });
  }

  /** Throws RateLimitError while `ip` is blocked. */
  check(ip: string): void {
    const until = this.#blockedUntil.get(ip);
    if (until === undefined) return;
    const waitMs = until - this.#now();
    if (waitMs <= 0) {
      this.#blockedUntil.delete(ip);
      return;
    }
    throw new RateLimitError('Too many failed logins from your address, try again later', waitMs);
  }

  async recordFailure(ip: string): Promise<void> {
    const result = await this.#limiter.consume(ip);
    if (!result.allowed) this.#blockedUntil.set(ip, this.#now() + result.retryAfterMs);
  }
}
