/**
 * A view of a Coordination whose counters live under a scope of their own (the PM2 process name), so the
 * instances of one process share their limits while different processes keep theirs apart: 10 failed IMAP logins
 * from an address do not use up that address's POP3 allowance, and mx's per-IP message counter is not the api's
 * per-IP request counter, though each app builds its keys (`ip:<address>`) the same way. Events, locks, queue
 * wake-ups and the shared counters are not scoped: they name mailboxes, resources and limits that every process
 * shares.
 */
import type { Coordination, LoginFailureStore, RateLimitStore } from './types.js';

export function scopeCoordination(coordination: Coordination, scope: string): Coordination {
  const prefix = `${scope}:`;
  const counters = coordination.rateLimits;
  const failures = coordination.loginFailures;
  const rateLimits: RateLimitStore = {
    increment: (key, windowMs, by) => counters.increment(prefix + key, windowMs, by),
  };
  const loginFailures: LoginFailureStore = {
    get: (key) => failures.get(prefix + key),
    increment: (key, windowMs) => failures.increment(prefix + key, windowMs),
    delete: (key) => failures.delete(prefix + key),
  };
  return {
    backend: coordination.backend,
    events: coordination.events,
    rateLimits,
    sharedRateLimits: coordination.sharedRateLimits,
    loginFailures,
    consume: (key, points, windowMs, cost) => coordination.consume(prefix + key, points, windowMs, cost),
    locks: coordination.locks,
    queue: coordination.queue,
    close: () => coordination.close(),
  };
}
