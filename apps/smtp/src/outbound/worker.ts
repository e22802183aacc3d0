/**
 * The outbound queue worker (RFC 5321 §4.5.4): claims due messages from the control store (a lease, so several
 * workers never deliver one message twice at once and a crashed worker's messages come back), delivers each
 * destination domain's recipients, records every recipient's result, retries 4xx and connection failures with
 * growing back-off until smtp.outboundMaxAgeMs, and sends one RFC 3464 bounce per attempt that failed recipients
 * for good (those that did not ask for NOTIFY=NEVER, RFC 3461 §5.2), never for a message with the null sender.
 *
 * Wake-ups: an idle worker polls every OUTBOUND_LIMITS.pollIntervalMs, and also claims at once when an enqueuer
 * in any process notifies deps.queueWakeups (enqueue.ts), so a queued message leaves without waiting for the poll.
 *
 * Throughput: up to smtp.outboundConcurrency messages are in flight, and the running worker claims more as each
 * one finishes, so a slow destination holds only its own slots. Sessions to remote hosts are pooled
 * (connection-pool.ts), so a burst to one destination costs one greeting, EHLO and TLS handshake per session.
 */
import { randomBytes } from 'node:crypto';
import type { QueueItem } from '@mailyard/control';
import { withTimeout } from '@mailyard/limits';
import { metrics } from '@mailyard/monitor';
import { buildContext, type SmtpContext, type SmtpDeps } from '../deps.js';
import { backoffDelay, OUTBOUND_LIMITS } from '../limits.js';
import { hostedDomainId, logMailEvents } from '../mail-log.js';
import { SmtpConnectionPool } from './connection-pool.js';
import { type DomainDeliveryOptions, deliverDomain } from './deliver-domain.js';
import { envelopesFor, wantsFailureReport } from './dsn.js';
import { createMtaStsSource, type MtaStsPolicySource } from './mta-sts.js';
import { allWith, type RecipientResult } from './results.js';
import { sendBounce } from './send-bounce.js';

export interface OutboundDeps extends SmtpDeps {
  workerId?: string;
  /** Default: policies fetched over DNS + HTTPS (createMtaStsSource). */
  mtaSts?: MtaStsPolicySource;
  /** TEST ONLY: connect to this port on every remote MX instead of 25, so tests can run remote servers on port 0. */
  portOverride?: number;
  /** Delay before the next attempt after `attempts` attempts; tests pass () => 0. Default: OUTBOUND_LIMITS. */
  retryDelayMs?: (attempts: number) => number;
  /** How often an idle worker looks for due messages; default OUTBOUND_LIMITS.pollIntervalMs. */
  pollIntervalMs?: number;
}

export interface OutboundWorker {
  /** Polls the queue until stop(). */
  start(): void;
  /** Stops polling, waits for the attempts in progress and closes idle remote sessions. */
  stop(): Promise<void>;
  /** One pass: claims up to smtp.outboundConcurrency due messages and attempts them; resolves with how many. */
  runOnce(): Promise<number>;
}

const SMTP_PORT = 25;

function byDomain(addresses: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const address of addresses) {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    groups.set(domain, [...(groups.get(domain) ?? []), address]);
  }
  return groups;
}

function expire(results: RecipientResult[], item: QueueItem, maxAgeMs: number, now: number): RecipientResult[] {
  if (now - item.createdAt.getTime() < maxAgeMs) return results;
  return results.map((r) =>
    r.status === 'deferred'
      ? { ...r, status: 'failed', statusCode: '4.4.7', diagnostic: `gave up after retrying: ${r.diagnostic ?? ''}` }
      : r,
  );
}

export function createOutboundWorker(deps: OutboundDeps): OutboundWorker {
  const ctx: SmtpContext = buildContext(deps);
  const { config } = ctx;
  const workerId = deps.workerId ?? `outbound-${process.pid}-${randomBytes(4).toString('hex')}`;
  const retryDelay = deps.retryDelayMs ?? backoffDelay;
  const pool = new SmtpConnectionPool({
    maxPerHost: OUTBOUND_LIMITS.connectionsPerHost,
    idleMs: OUTBOUND_LIMITS.connectionIdleMs,
    maxMessages: OUTBOUND_LIMITS.messagesPerConnection,
  });
  const domainOptions: DomainDeliveryOptions = {
    dns: ctx.dns,
    mtaSts: deps.mtaSts ?? createMtaStsSource(ctx.dns.mailauth),
    heloName: config.hostname,
    port: deps.portOverride ?? SMTP_PORT,
    timeoutMs: config.limits.timeoutMs,
    connectTimeoutMs: Math.min(OUTBOUND_LIMITS.connectTimeoutMs, config.limits.timeoutMs),
    pool,
  };
  const log = ctx.logger.child({ component: 'outbound', workerId });

  async function attemptDomain(domain: string, to: string[], item: QueueItem): Promise<RecipientResult[]> {
    const envelopes = envelopesFor(item.dsn, to);
    const delivery = deliverDomain({ domain, from: item.envelopeFrom, envelopes, body: item.body }, domainOptions);
    try {
      return await withTimeout(delivery, config.limits.timeoutMs, `delivery to ${domain}`);
    } catch (err) {
      log.warn({ err, queueId: item.id, domain }, 'delivery attempt failed');
      return allWith(to, { status: 'deferred', diagnostic: (err as Error).message, statusCode: '4.4.1' });
    }
  }

  async function attempt(item: QueueItem): Promise<void> {
    const due = item.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred').map((r) => r.address);
    const groups = [...byDomain(due)];
    const settled = await Promise.all(groups.map(([domain, to]) => attemptDomain(domain, to, item)));
    const now = Date.now();
    const results = expire(settled.flat(), item, config.smtp.outboundMaxAgeMs, now);
    const deferred = results.find((r) => r.status === 'deferred');
    await ctx.control.recordAttempt(item.id, workerId, {
      recipients: results.map((r) => ({ address: r.address, status: r.status, error: r.diagnostic ?? '' })),
      nextAttemptAt: new Date(now + retryDelay(item.attempts + 1)),
      ...(deferred?.diagnostic ? { error: deferred.diagnostic } : {}),
    });
    await logOutcomes(item, results);
    const failed = results.filter((r) => r.status === 'failed');
    const delivered = results.length - failed.length - results.filter((r) => r.status === 'deferred').length;
    if (delivered > 0) metrics.messages.inc({ direction: 'delivered' }, delivered);
    const reported = failed.filter((r) => wantsFailureReport(item, r.address));
    if (reported.length > 0) await sendBounce(ctx, item, reported);
    log.info({ queueId: item.id, delivered, failed: failed.length, deferred: deferred ? 1 : 0 }, 'delivery attempt');
  }

  /** Each recipient's outcome goes into the mail log of the sender's domain, when it is one of ours. */
  async function logOutcomes(item: QueueItem, results: RecipientResult[]): Promise<void> {
    const domainId = item.envelopeFrom ? await hostedDomainId(ctx, item.envelopeFrom) : null;
    if (!domainId) return;
    const event = { delivered: 'delivered', deferred: 'deferred', failed: 'bounced' } as const;
    await logMailEvents(
      ctx,
      results.map((r) => ({
        domainId,
        direction: 'outbound' as const,
        event: event[r.status],
        sender: item.envelopeFrom,
        recipient: r.address,
        response: r.diagnostic ?? null,
        messageId: item.id,
      })),
    );
  }

  async function processItem(item: QueueItem): Promise<void> {
    let reservation: ReturnType<typeof ctx.budget.reserve>;
    try {
      reservation = ctx.budget.reserve(item.body.length);
    } catch (err) {
      await ctx.control.recordAttempt(item.id, workerId, {
        recipients: [],
        nextAttemptAt: new Date(Date.now() + OUTBOUND_LIMITS.budgetRetryMs),
        error: (err as Error).message,
      });
      return;
    }
    try {
      await attempt(item);
    } catch (err) {
      log.error({ err, queueId: item.id }, 'outbound attempt crashed; the lease expires and it is retried');
    } finally {
      reservation.release();
    }
  }

  const leaseMs = config.limits.timeoutMs + OUTBOUND_LIMITS.leaseMarginMs;
  const inFlight = new Set<Promise<void>>();

  /** Claims up to `slots` due messages and starts them; resolves with how many were claimed. */
  async function claim(slots: number): Promise<number> {
    const items = await ctx.control.claimDue(workerId, new Date(), slots, leaseMs);
    for (const item of items) {
      const started: Promise<void> = processItem(item)
        .catch((err: unknown) => log.error({ err, queueId: item.id }, 'outbound attempt failed to record'))
        .finally(() => inFlight.delete(started));
      inFlight.add(started);
    }
    return items.length;
  }

  async function runOnce(): Promise<number> {
    const claimed = await claim(config.smtp.outboundConcurrency);
    await Promise.all(inFlight);
    return claimed;
  }

  let running: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  /** Set by a queue wake-up (deps.queueWakeups) since the loop last claimed: claim again before pausing. */
  let woken = false;
  let unsubscribe: (() => void) | undefined;

  /**
   * Until an in-flight message finishes, a wake-up says work was queued or, when nothing is due, the poll interval
   * passes (or stop()). The poll stays: a wake-up is a hint, and retries fall due without one.
   */
  function pause(idle: boolean): Promise<void> {
    // A referenced timer: a started worker is what keeps the outbound process alive.
    const poll = new Promise<void>((resolve) => {
      wake = resolve;
      if (woken) resolve();
      else if (idle) timer = setTimeout(resolve, deps.pollIntervalMs ?? OUTBOUND_LIMITS.pollIntervalMs);
    });
    return Promise.race([poll, ...inFlight]).finally(() => clearTimeout(timer));
  }

  function onWakeup(): void {
    woken = true;
    wake?.();
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      woken = false;
      const slots = config.smtp.outboundConcurrency - inFlight.size;
      const claimed =
        slots > 0
          ? await claim(slots).catch((err: unknown) => {
              log.error({ err }, 'outbound queue claim failed');
              return 0;
            })
          : 0;
      if (stopping) break;
      if (slots > 0 && claimed === slots) continue;
      await pause(slots > 0);
    }
    await Promise.all(inFlight);
  }

  return {
    start() {
      if (running) return;
      stopping = false;
      unsubscribe = ctx.queueWakeups?.subscribe(onWakeup);
      running = loop();
    },
    async stop() {
      stopping = true;
      unsubscribe?.();
      unsubscribe = undefined;
      clearTimeout(timer);
      wake?.();
      await running;
      await Promise.all(inFlight);
      running = null;
      pool.closeIdle();
    },
    runOnce,
  };
}
