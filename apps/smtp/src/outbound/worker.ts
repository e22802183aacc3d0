/**
 * The outbound queue worker (RFC 5321 §4.5.4): claims due messages from the control store (a lease, so several
 * workers never deliver one message twice at once and a crashed worker's messages come back), delivers each
 * destination domain's recipients, records every recipient's result, retries 4xx and connection failures with
 * growing back-off until smtp.outboundMaxAgeMs, and sends one RFC 3464 bounce per attempt that failed recipients
 * for good, never for a message with the null sender.
 */
import { randomBytes } from 'node:crypto';
import type { QueueItem } from '@mailyard/control';
import { withTimeout } from '@mailyard/limits';
import { metrics } from '@mailyard/monitor';
import { buildContext, type SmtpContext, type SmtpDeps } from '../deps.js';
import { backoffDelay, OUTBOUND_LIMITS } from '../limits.js';
import { type DomainDeliveryOptions, deliverDomain } from './deliver-domain.js';
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
}

export interface OutboundWorker {
  /** Polls the queue until stop(). */
  start(): void;
  /** Stops polling and waits for the attempts in progress. */
  stop(): Promise<void>;
  /** One pass over the due messages; resolves with how many were attempted. */
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
  const domainOptions: DomainDeliveryOptions = {
    dns: ctx.dns,
    mtaSts: deps.mtaSts ?? createMtaStsSource(ctx.dns.mailauth),
    heloName: config.hostname,
    port: deps.portOverride ?? SMTP_PORT,
    timeoutMs: config.limits.timeoutMs,
    connectTimeoutMs: Math.min(OUTBOUND_LIMITS.connectTimeoutMs, config.limits.timeoutMs),
  };
  const log = ctx.logger.child({ component: 'outbound', workerId });

  async function attemptDomain(domain: string, to: string[], item: QueueItem): Promise<RecipientResult[]> {
    const delivery = deliverDomain({ domain, from: item.envelopeFrom, to, body: item.body }, domainOptions);
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
    const failed = results.filter((r) => r.status === 'failed');
    const delivered = results.length - failed.length - results.filter((r) => r.status === 'deferred').length;
    if (delivered > 0) metrics.messages.inc({ direction: 'delivered' }, delivered);
    if (failed.length > 0) await sendBounce(ctx, item, failed);
    log.info({ queueId: item.id, delivered, failed: failed.length, deferred: deferred ? 1 : 0 }, 'delivery attempt');
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

  async function runOnce(): Promise<number> {
    const leaseMs = config.limits.timeoutMs + OUTBOUND_LIMITS.leaseMarginMs;
    const items = await ctx.control.claimDue(workerId, new Date(), config.smtp.outboundConcurrency, leaseMs);
    await Promise.all(items.map(processItem));
    return items.length;
  }

  let running: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      const count = await runOnce().catch((err: unknown) => {
        log.error({ err }, 'outbound queue pass failed');
        return 0;
      });
      if (count > 0 || stopping) continue;
      // A referenced timer: a started worker is what keeps the outbound process alive.
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, OUTBOUND_LIMITS.pollIntervalMs);
      });
    }
  }

  return {
    start() {
      if (running) return;
      stopping = false;
      running = loop();
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wake?.();
      await running;
      running = null;
    },
    runOnce,
  };
}
