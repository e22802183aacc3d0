/**
 * LoginGate: the one failed-login gate for every protocol that checks a password (SMTP AUTH, IMAP LOGIN, POP3
 * USER/PASS, the dashboard, the API).
 *
 * Rules:
 * - Only failures count, so clients that log in correctly all day are never limited.
 * - Failures are counted per client address and per (user, client address) pair, never per user alone: a guesser
 *   cannot lock a victim out, because a correct password from an address that has not been failing is always
 *   checked. IPv6 addresses count per /64 (one subscriber's usual allocation), so hopping inside one's own
 *   prefix does not reset the count; IPv4-mapped IPv6 counts as the IPv4 address.
 * - With `perIp` = N, exactly N failed attempts from an address are checked; the (N+1)th is refused by check()
 *   without looking at the password, until the window that the first failure opened has passed. The same holds
 *   for `perUserIp` and a (user, address) pair.
 * - A success forgets the (user, address) pair's failures, not the address's: otherwise one account the attacker
 *   owns would reset the address count between guesses at other accounts.
 * - The window (default one hour) starts at a key's first failure and the count resets when it ends (the shape of
 *   Redis INCR + PEXPIRE NX, so a Redis LoginFailureStore gives the same answers across processes).
 * - attempt() runs check, the password check and fail/succeed as one step, one at a time per client address in
 *   this process, so N stays exact when a client fires many logins at once. check() alone only reads: attempts
 *   that pass it at the same moment, before any of them has failed, are all checked (a protocol that uses the three
 *   methods directly checks one login at a time per connection, which bounds the overshoot to one per connection).
 *   The price: logins from one address run one after another, each waiting for the password checks before it.
 *
 * Memory: MemoryLoginFailureStore holds at most `maxKeys` counters (least recently used dropped first) and drops
 * expired ones, so a flood of addresses or user names cannot grow the process; a user name longer than an address
 * can be (RFC 5321 §4.5.3.1: 320 octets) is keyed by its SHA-256, so no key is large.
 */
import { createHash } from 'node:crypto';
import { RateLimitError } from '@mailyard/errors';
import type { Clock } from './rate-limiter.js';

/** Failure counters shared by the processes that check passwords: memory now, Redis behind the same interface. */
export interface LoginFailureStore {
  /** The live counter for `key`, or null when it has none (never failed, expired or dropped). */
  get(key: string): Promise<{ count: number; resetAt: number } | null>;
  /** Adds one failure; a missing or expired counter starts at zero and expires at now + windowMs. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  delete(key: string): Promise<void>;
}

export interface MemoryLoginFailureStoreOptions {
  /** Most counters held at once; past it the least recently used one is dropped. Default 100,000 (about 15 MB). */
  maxKeys?: number;
  now?: Clock;
}

/** 100,000 counters: a few hundred bytes each, so a flood of new addresses costs at most tens of megabytes. */
const DEFAULT_MAX_KEYS = 100_000;

export class MemoryLoginFailureStore implements LoginFailureStore {
  /** Map order is recency order: a touched key is moved to the end, the first key is the least recently used. */
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #maxKeys: number;
  readonly #now: Clock;

  constructor(options: MemoryLoginFailureStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!(this.#maxKeys >= 1)) throw new RangeError('MemoryLoginFailureStore needs maxKeys >= 1');
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<{ count: number; resetAt: number } | null> {
    const counter = this.#live(key);
    if (!counter) return null;
    this.#touch(key, counter);
    return { ...counter };
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const counter = this.#live(key) ?? { count: 0, resetAt: this.#now() + windowMs };
    counter.count += 1;
    this.#touch(key, counter);
    this.#evict();
    return { ...counter };
  }

  async delete(key: string): Promise<void> {
    this.#counters.delete(key);
  }

  /** Counters held, expired ones included until they are next read or evicted. */
  get size(): number {
    return this.#counters.size;
  }

  #live(key: string): { count: number; resetAt: number } | undefined {
    const counter = this.#counters.get(key);
    if (counter && counter.resetAt <= this.#now()) {
      this.#counters.delete(key);
      return undefined;
    }
    return counter;
  }

  #touch(key: string, counter: { count: number; resetAt: number }): void {
    this.#counters.delete(key);
    this.#counters.set(key, counter);
  }

  #evict(): void {
    for (const key of this.#counters.keys()) {
      if (this.#counters.size <= this.#maxKeys) return;
      this.#counters.delete(key);
    }
  }
}

export interface LoginGateOptions {
  /** Failed attempts checked per client address per window; the next one is refused. */
  perIp: number;
  /** Failed attempts checked per (user, client address) pair per window; the next one is refused. */
  perUserIp: number;
  /** Default one hour. */
  windowMs?: number;
  /** Default: a MemoryLoginFailureStore on the same clock. */
  store?: LoginFailureStore;
  now?: Clock;
}

export interface LoginVerdict {
  allowed: boolean;
  /** 0 when allowed; else how long until the blocking counter expires. */
  retryAfterMs: number;
  /** What is blocked: the whole address, or this user from this address. */
  scope?: 'ip' | 'user-ip';
}

/** One hour: long enough that a guesser gets a handful of tries an hour, short enough that a person is not stuck. */
export const LOGIN_FAILURE_WINDOW_MS = 60 * 60 * 1000;

/** The address a failure counts against: IPv6 per /64, IPv4-mapped IPv6 as IPv4, anything else as given. */
export function loginAddressKey(ip: string): string {
  const address = ip.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (without a zone), '::' expanded; a dotted IPv4 tail counts as two. */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [''];
  const parts = (text: string) => (text ? text.split(':').flatMap(ipv4Tail) : []);
  const left = parts(head);
  if (tail === undefined) return left;
  const right = parts(tail);
  return [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
}

function ipv4Tail(part: string): string[] {
  if (!part.includes('.')) return [(Number.parseInt(part, 16) || 0).toString(16)];
  const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** The outcome of attempt(): refused before the check, or the check's own result (null: wrong password). */
export type LoginAttempt<T> = ({ allowed: false } & Omit<LoginVerdict, 'allowed'>) | { allowed: true; value: T | null };

export class LoginGate {
  readonly perIp: number;
  readonly perUserIp: number;
  readonly windowMs: number;
  readonly #store: LoginFailureStore;
  readonly #now: Clock;
  /** Per client address, the end of the chain of attempts in progress; only addresses with one in progress. */
  readonly #inProgress = new Map<string, Promise<void>>();

  constructor(options: LoginGateOptions) {
    if (!(options.perIp >= 1) || !(options.perUserIp >= 1)) {
      throw new RangeError('LoginGate needs perIp >= 1 and perUserIp >= 1');
    }
    this.perIp = options.perIp;
    this.perUserIp = options.perUserIp;
    this.windowMs = options.windowMs ?? LOGIN_FAILURE_WINDOW_MS;
    if (!(this.windowMs > 0)) throw new RangeError('LoginGate needs windowMs > 0');
    this.#now = options.now ?? Date.now;
    this.#store = options.store ?? new MemoryLoginFailureStore({ now: this.#now });
  }

  /** Whether a login by `user` from `ip` may have its password checked now. Counts nothing. */
  async check(ip: string, user: string): Promise<LoginVerdict> {
    const byIp = await this.#store.get(ipKey(ip));
    if (byIp && byIp.count >= this.perIp) return this.#refused(byIp.resetAt, 'ip');
    const byPair = await this.#store.get(pairKey(ip, user));
    if (byPair && byPair.count >= this.perUserIp) return this.#refused(byPair.resetAt, 'user-ip');
    return { allowed: true, retryAfterMs: 0 };
  }

  /**
   * check, then `verify` (the password check: its result, or null when the password is wrong), then fail or
   * succeed, one attempt at a time per client address in this process.
   */
  async attempt<T>(ip: string, user: string, verify: () => Promise<T | null>): Promise<LoginAttempt<T>> {
    return this.#oneAtATime(loginAddressKey(ip), async () => {
      const verdict = await this.check(ip, user);
      if (!verdict.allowed) return verdict as LoginAttempt<T>;
      const value = await verify();
      if (value === null) await this.fail(ip, user);
      else await this.succeed(ip, user);
      return { allowed: true, value };
    });
  }

  async #oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#inProgress.get(key) ?? Promise.resolve();
    let done = () => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = previous.then(() => mine);
    this.#inProgress.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      done();
      if (this.#inProgress.get(key) === tail) this.#inProgress.delete(key);
    }
  }

  /** Client addresses with an attempt() in progress (tests: the map empties itself). */
  get addressesInProgress(): number {
    return this.#inProgress.size;
  }

  /** check(), throwing RateLimitError (SMTP 4xx, IMAP NO [LIMIT], POP3 -ERR, HTTP 429) when refused. */
  async enforce(ip: string, user: string): Promise<void> {
    const verdict = await this.check(ip, user);
    if (verdict.allowed) return;
    throw new RateLimitError('Too many failed logins, try again later', verdict.retryAfterMs);
  }

  /** Counts one failed password check; returns what check() will answer for the next attempt. */
  async fail(ip: string, user: string): Promise<LoginVerdict> {
    const byIp = await this.#store.increment(ipKey(ip), this.windowMs);
    const byPair = await this.#store.increment(pairKey(ip, user), this.windowMs);
    if (byIp.count >= this.perIp) return this.#refused(byIp.resetAt, 'ip');
    if (byPair.count >= this.perUserIp) return this.#refused(byPair.resetAt, 'user-ip');
    return { allowed: true, retryAfterMs: 0 };
  }

  /** A correct password: forgets this pair's failures (the address's count stays, see the module comment). */
  async succeed(ip: string, user: string): Promise<void> {
    await this.#store.delete(pairKey(ip, user));
  }

  #refused(resetAt: number, scope: 'ip' | 'user-ip'): LoginVerdict {
    return { allowed: false, retryAfterMs: Math.max(0, resetAt - this.#now()), scope };
  }
}

function ipKey(ip: string): string {
  return `ip:${loginAddressKey(ip)}`;
}

/** Longest user name kept as it is in a key: a mail address (RFC 5321 §4.5.3.1: 64 + 1 + 255 octets). */
const MAX_PLAIN_USER = 320;

/** User names compare case-insensitively (addresses are stored lowercased); JSON keeps the two parts apart. */
function pairKey(ip: string, user: string): string {
  const name = user.trim().toLowerCase();
  const short = name.length <= MAX_PLAIN_USER ? name : `sha256:${createHash('sha256').update(name).digest('hex')}`;
  return `user-ip:${JSON.stringify([short, loginAddressKey(ip)])}`;
}
