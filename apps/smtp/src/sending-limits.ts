/**
 * The sending limits of authenticated mail: one set that SMTP submission (MAIL FROM) and the REST API's
 * POST /v1/emails (message-sender.ts) both count against, so 60 messages over SMTP and 40 over HTTP are 100.
 *
 * - smtp.messagesPerSenderPerHour per sending identity;
 * - smtp.dailySendLimit per sending identity and per domain, over the last 24 hours.
 *
 * The sending identity is the authenticated alias (SMTP AUTH, or the API's mailbox credentials) and its domain;
 * an API token, which is no alias, sends as the envelope sender it names (after the account is checked to own it)
 * and counts against that address and its domain. Windows are sliding (limits' RateLimiter), and an attempt
 * counts when it is made, refused or not, so a client that keeps trying while limited stays limited.
 *
 * The counters live in the store given, which should be the coordination's sharedRateLimits: every process of the
 * machine counts in one file (embedded), every instance in Redis when it is configured. Without one, this
 * process counts alone (tests).
 */
import { MemoryRateLimitStore, RateLimiter, type RateLimitStore } from '@mailyard/limits';
import { SMTP_LIMITS } from './limits.js';

export interface SendingIdentity {
  address: string;
  domain: string;
}

export type SendingVerdict = { allowed: true } | { allowed: false; limit: 'hourly' | 'daily'; retryAfterMs: number };

/** A count against a limit: used so far in its window, and what is left. */
export interface SendingUse {
  used: number;
  remaining: number;
}

export class SendingLimits {
  readonly hourlyLimit: number;
  readonly dailyLimit: number;
  readonly #hourly: RateLimiter;
  readonly #daily: RateLimiter;

  constructor(
    smtp: { messagesPerSenderPerHour: number; dailySendLimit: number },
    store: RateLimitStore = new MemoryRateLimitStore(),
  ) {
    this.hourlyLimit = smtp.messagesPerSenderPerHour;
    this.dailyLimit = smtp.dailySendLimit;
    this.#hourly = new RateLimiter({ points: this.hourlyLimit, durationMs: SMTP_LIMITS.senderWindowMs, store });
    this.#daily = new RateLimiter({ points: this.dailyLimit, durationMs: SMTP_LIMITS.dailyWindowMs, store });
  }

  /** Counts one message; the daily counts are taken only when the hourly limit lets it through. */
  async consume(who: SendingIdentity): Promise<SendingVerdict> {
    const { address, domain } = normalized(who);
    const hourly = await this.#hourly.consume(hourKey(address));
    if (!hourly.allowed) return { allowed: false, limit: 'hourly', retryAfterMs: hourly.retryAfterMs };
    const bySender = await this.#daily.consume(senderDayKey(address));
    const byDomain = await this.#daily.consume(domainDayKey(domain));
    if (bySender.allowed && byDomain.allowed) return { allowed: true };
    return { allowed: false, limit: 'daily', retryAfterMs: Math.max(bySender.retryAfterMs, byDomain.retryAfterMs) };
  }

  /** The use of a sending identity's limits, counting nothing. */
  async senderUse(address: string): Promise<{ hourly: SendingUse; daily: SendingUse }> {
    const lower = address.toLowerCase();
    return {
      hourly: await this.#hourly.usage(hourKey(lower)),
      daily: await this.#daily.usage(senderDayKey(lower)),
    };
  }

  /** The use of a domain's daily limit, counting nothing. */
  domainUse(domain: string): Promise<SendingUse> {
    return this.#daily.usage(domainDayKey(domain.toLowerCase()));
  }
}

function normalized(who: SendingIdentity): SendingIdentity {
  return { address: who.address.toLowerCase(), domain: who.domain.toLowerCase() };
}

const hourKey = (address: string) => `send-hour:${address}`;
const senderDayKey = (address: string) => `send-day:${address}`;
const domainDayKey = (domain: string) => `send-day-domain:${domain}`;
