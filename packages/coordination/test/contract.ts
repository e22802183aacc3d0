/**
 * The behaviour every Coordination implementation must show. A backend's test file calls
 * `runCoordinationContract(name, factory)`; the factory returns two fresh instances over one data directory
 * (and one Redis, for Redis), as two processes on one machine would have, and a dispose function.
 *
 * Only what both implementations share across instances is checked across instances here (events, queue
 * wake-ups, the shared counters and locks: the embedded locks live in a SQLite file every process on the machine
 * opens, file-locks.ts); the other counters are checked within one instance, and shared across instances in
 * redis.test.ts. Locks across real processes: file-locks.test.ts (embedded) and instances.test.ts (Redis).
 */
import { LoginGate, RateLimiter } from '@mailyard/limits';
import { waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ChangeEvent, Coordination } from '../src/index.js';

export interface CoordinationFixture {
  first: Coordination;
  second: Coordination;
  dispose: () => Promise<void>;
}

export type CoordinationFactory = () => Promise<CoordinationFixture>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function collect(coordination: Coordination, mailboxId: string): { events: ChangeEvent[]; off: () => void } {
  const events: ChangeEvent[] = [];
  const off = coordination.events.subscribe(mailboxId, (event) => events.push(event));
  return { events, off };
}

let serial = 0;
/** A fresh name per test, so no test sees another's keys. */
function unique(label: string): string {
  serial += 1;
  return `${label}-${process.pid}-${serial}-${Date.now()}`;
}

/** A fresh mailbox id: 32 hex characters, as the control store makes them. */
function mailboxId(): string {
  return unique('m')
    .replace(/[^0-9]/g, '')
    .padStart(32, 'a')
    .slice(-32);
}

export function runCoordinationContract(name: string, factory: CoordinationFactory): void {
  describe(`Coordination contract: ${name}`, () => {
    let first: Coordination;
    let second: Coordination;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ first, second, dispose } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    describe('mailbox change events', () => {
      test("reach the publisher's own subscribers at once, and another instance's once, in order", async () => {
        const box = mailboxId();
        const here = collect(first, box);
        const there = collect(second, box);
        const elsewhere = collect(second, mailboxId());
        const events: ChangeEvent[] = [
          { mailboxId: box, folder: 'INBOX', kind: 'added', uid: 1, modseq: 2 },
          { mailboxId: box, folder: 'INBOX', kind: 'flags', uid: 1, modseq: 3 },
          { mailboxId: box, folder: '', kind: 'spool' },
        ];
        for (const event of events) first.events.publish(event);
        expect(here.events).toEqual(events);
        await waitFor(() => there.events.length === events.length);
        expect(there.events).toEqual(events);
        // Time on purpose: a duplicate or stray event would show within it.
        await sleep(300);
        expect(here.events).toHaveLength(events.length);
        expect(there.events).toHaveLength(events.length);
        expect(elsewhere.events).toEqual([]);
      });

      test('stop at unsubscribe, while other subscribers of the mailbox keep receiving', async () => {
        const box = mailboxId();
        const kept = collect(second, box);
        const dropped = collect(second, box);
        first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 1 });
        await waitFor(() => kept.events.length === 1 && dropped.events.length === 1);
        dropped.off();
        first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 2 });
        await waitFor(() => kept.events.length === 2);
        // Time on purpose (here and below): nothing may reach an unsubscribed listener.
        await sleep(300);
        expect(dropped.events).toHaveLength(1);
        kept.off();
        first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 3 });
        await sleep(300);
        expect(kept.events).toHaveLength(2);
      });

      test('serve as a mail store ChangeNotifier: subscribe returns the unsubscribe function', () => {
        const box = mailboxId();
        const off = first.events.subscribe(box, () => undefined);
        expect(typeof off).toBe('function');
        off();
        off();
      });
    });

    describe('queue wake-ups', () => {
      test('notify wakes subscribers in this and the other instance, until they unsubscribe', async () => {
        let here = 0;
        let there = 0;
        const offHere = first.queue.subscribe(() => here++);
        const offThere = second.queue.subscribe(() => there++);
        first.queue.notify();
        expect(here).toBe(1);
        await waitFor(() => there === 1);
        offThere();
        first.queue.notify();
        expect(here).toBe(2);
        // Time on purpose: the other instance, unsubscribed, must not be woken.
        await sleep(300);
        expect(there).toBe(1);
        offHere();
      });
    });

    describe('rate-limit counters', () => {
      test('count up within a window that starts at the first count and is not pushed back', async () => {
        const key = unique('rl');
        const started = Date.now();
        const one = await first.rateLimits.increment(key, 2_000, 1);
        expect(one.count).toBe(1);
        expect(one.resetAt).toBeGreaterThanOrEqual(started + 1_900);
        expect(one.resetAt).toBeLessThanOrEqual(Date.now() + 2_000);
        await sleep(500); // time passes inside the window, which must not move
        const three = await first.rateLimits.increment(key, 2_000, 2);
        expect(three.count).toBe(3);
        // Pushed back, it would end 500 ms later; the margin is for a busy machine's scheduling.
        expect(Math.abs(three.resetAt - one.resetAt)).toBeLessThan(250);
        const read = await first.rateLimits.increment(key, 2_000, 0);
        expect(read.count).toBe(3);
      });

      test('start again at zero once the window has passed', async () => {
        const key = unique('rl');
        await first.rateLimits.increment(key, 150, 5);
        await sleep(250); // past the 150 ms window
        expect((await first.rateLimits.increment(key, 150, 1)).count).toBe(1);
      });

      test('shared counters: one count across instances (as across processes), windowed like the others', async () => {
        const key = unique('shared');
        expect((await first.sharedRateLimits.increment(key, 60_000, 2)).count).toBe(2);
        expect((await second.sharedRateLimits.increment(key, 60_000, 1)).count).toBe(3);
        expect((await first.sharedRateLimits.increment(key, 60_000, 0)).count).toBe(3);
        // Apart from the per-process counters under the same key.
        expect((await first.rateLimits.increment(key, 60_000, 0)).count).toBe(0);
        const short = unique('shared');
        await second.sharedRateLimits.increment(short, 150, 5);
        await sleep(250); // past the 150 ms window
        expect((await first.sharedRateLimits.increment(short, 150, 1)).count).toBe(1);
      });

      test("carry limits' sliding-window RateLimiter", async () => {
        const limiter = new RateLimiter({ points: 3, durationMs: 60_000, store: first.rateLimits });
        const key = unique('sliding');
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await limiter.consume(key));
        expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
        expect(results[3]?.retryAfterMs).toBeGreaterThan(0);
      });
    });

    describe('consume', () => {
      test('allows `points` per window, then refuses with the time until the window ends', async () => {
        const key = unique('consume');
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await first.consume(key, 3, 5_000));
        expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
          [true, 2],
          [true, 1],
          [true, 0],
          [false, 0],
        ]);
        expect(results[3]?.retryAfterMs).toBeGreaterThan(4_000);
        expect(results[3]?.retryAfterMs).toBeLessThanOrEqual(5_000);
      });

      test('counts a cost, allows again after the window, and rejects a cost outside 1..points', async () => {
        const key = unique('consume');
        expect(await first.consume(key, 5, 200, 4)).toMatchObject({ allowed: true, remaining: 1 });
        expect(await first.consume(key, 5, 200, 2)).toMatchObject({ allowed: false, remaining: 0 });
        await sleep(300); // past the 200 ms window
        expect(await first.consume(key, 5, 200, 5)).toMatchObject({ allowed: true, remaining: 0 });
        await expect(first.consume(key, 5, 200, 6)).rejects.toThrow(RangeError);
        await expect(first.consume(key, 5, 200, 0)).rejects.toThrow(RangeError);
      });
    });

    describe('failed-login counters', () => {
      test('get, increment and delete with a window from the first failure', async () => {
        const key = unique('lf');
        expect(await first.loginFailures.get(key)).toBeNull();
        const one = await first.loginFailures.increment(key, 2_000);
        await sleep(500); // time passes inside the window, which must not move
        const two = await first.loginFailures.increment(key, 2_000);
        expect([one.count, two.count]).toEqual([1, 2]);
        const read = await first.loginFailures.get(key);
        expect(read?.count).toBe(2);
        expect(Math.abs((read?.resetAt ?? 0) - one.resetAt)).toBeLessThan(250);
        expect(Math.abs(two.resetAt - one.resetAt)).toBeLessThan(250);
        await first.loginFailures.delete(key);
        expect(await first.loginFailures.get(key)).toBeNull();
        await first.loginFailures.increment(key, 150);
        await sleep(250); // past the 150 ms window
        expect(await first.loginFailures.get(key)).toBeNull();
      });

      test("carry limits' LoginGate: exactly perIp failures are checked, the next is refused", async () => {
        const gate = new LoginGate({ perIp: 3, perUserIp: 10, store: first.loginFailures });
        const ip = unique('client-address');
        for (let i = 0; i < 3; i++) {
          expect((await gate.check(ip, `user${i}`)).allowed).toBe(true);
          await gate.fail(ip, `user${i}`);
        }
        const verdict = await gate.check(ip, 'someone');
        expect(verdict).toMatchObject({ allowed: false, scope: 'ip' });
        expect(verdict.retryAfterMs).toBeGreaterThan(0);
      });
    });

    describe('locks', () => {
      test('one holder at a time per name; names are independent', async () => {
        const name = unique('lock');
        const lock = await first.locks.acquire(name, 10_000);
        expect(lock).not.toBeNull();
        expect(lock?.name).toBe(name);
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        const other = await first.locks.acquire(unique('lock'), 10_000);
        expect(other).not.toBeNull();
        await lock?.release();
        await other?.release();
      });

      test('fencing tokens increase with every acquisition of a name', async () => {
        const name = unique('lock');
        const tokens: number[] = [];
        for (let i = 0; i < 5; i++) {
          const lock = await first.locks.acquire(name, 10_000);
          if (!lock) throw new Error('lock not acquired');
          tokens.push(lock.token);
          await lock.release();
        }
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? 0);
        expect(tokens.every(Number.isSafeInteger)).toBe(true);
      });

      test('another instance (as a restarted process) hands out larger tokens for the same name', async () => {
        const name = unique('lock');
        const before = await first.locks.acquire(name, 10_000);
        await before?.release();
        await sleep(5);
        const after = await second.locks.acquire(name, 10_000);
        expect(after?.token).toBeGreaterThan(before?.token ?? Number.POSITIVE_INFINITY);
        await after?.release();
      });

      test('one holder across instances (as across processes): refused to the other until released', async () => {
        const name = unique('lock');
        const held = await first.locks.acquire(name, 10_000);
        expect(held).not.toBeNull();
        expect(await second.locks.acquire(name, 10_000)).toBeNull();
        expect(await held?.extend()).toBe(true);
        expect(await second.locks.acquire(name, 10_000)).toBeNull();
        await held?.release();
        const next = await second.locks.acquire(name, 10_000);
        expect(next).not.toBeNull();
        expect(next?.token).toBeGreaterThan(held?.token ?? Number.POSITIVE_INFINITY);
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        await next?.release();
      });

      test('another instance takes an expired lease; the late holder can neither extend nor release it', async () => {
        const name = unique('lock');
        const stale = await first.locks.acquire(name, 150);
        expect(stale).not.toBeNull();
        expect(await second.locks.acquire(name, 10_000)).toBeNull();
        await sleep(300); // past the 150 ms lease
        const fresh = await second.locks.acquire(name, 10_000);
        expect(fresh).not.toBeNull();
        expect(fresh?.token).toBeGreaterThan(stale?.token ?? Number.POSITIVE_INFINITY);
        expect(await stale?.extend()).toBe(false);
        expect(await stale?.extend(10_000)).toBe(false);
        await stale?.release();
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        expect(await fresh?.extend()).toBe(true);
        await fresh?.release();
        const after = await first.locks.acquire(name, 10_000);
        expect(after?.token).toBeGreaterThan(fresh?.token ?? Number.POSITIVE_INFINITY);
        await after?.release();
      });

      test('release frees the name once; a stale release never frees the next holder', async () => {
        const name = unique('lock');
        const lock = await first.locks.acquire(name, 10_000);
        await lock?.release();
        await lock?.release();
        const next = await first.locks.acquire(name, 10_000);
        expect(next).not.toBeNull();
        await lock?.release();
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        expect(await lock?.extend()).toBe(false);
        await next?.release();
      });

      test('a lease expires after its ttl; the late holder cannot extend or release the new lease', async () => {
        const name = unique('lock');
        const stale = await first.locks.acquire(name, 150);
        expect(stale).not.toBeNull();
        await sleep(300); // past the 150 ms lease
        const fresh = await first.locks.acquire(name, 10_000);
        expect(fresh).not.toBeNull();
        expect(fresh?.token).toBeGreaterThan(stale?.token ?? Number.POSITIVE_INFINITY);
        expect(await stale?.extend()).toBe(false);
        await stale?.release();
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        await fresh?.release();
      });

      test('extend keeps the lease past its first ttl', async () => {
        const name = unique('lock');
        const lock = await first.locks.acquire(name, 1_000);
        expect(await lock?.extend(10_000)).toBe(true);
        await sleep(1_200); // past the first 1 s ttl
        expect(await first.locks.acquire(name, 10_000)).toBeNull();
        expect(await lock?.extend()).toBe(true);
        await lock?.release();
        expect(await first.locks.acquire(name, 1_000)).not.toBeNull();
      });

      test('a ttl that is not a positive whole number of ms is a RangeError', async () => {
        await expect(first.locks.acquire(unique('lock'), 0)).rejects.toThrow(RangeError);
        await expect(first.locks.acquire(unique('lock'), 1.5)).rejects.toThrow(RangeError);
      });
    });
  });
}
