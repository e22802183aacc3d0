/**
 * The webhook worker: claims due webhook POSTs from the control store (leased, as the outbound queue is), signs
 * each with its domain's secret and posts it (post.ts), and records the outcome: delivered on a 2xx; retried with
 * the outbound back-off on a network error, a timeout, 408, 429 or 5xx, until smtp.outboundMaxAgeMs (5 days)
 * after the message came in; failed for good on a refusal (a non-public address, a redirect, another 4xx).
 * Runs in the outbound process, beside the outbound queue worker.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '@mailyard/config';
import type { ControlStore, WebhookItem } from '@mailyard/control';
import type { Logger } from '@mailyard/logger';
import { backoffDelay, OUTBOUND_LIMITS, WEBHOOK_LIMITS } from '../limits.js';
import { type PostOptions, postWebhook } from './post.js';

export interface WebhookWorkerDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  workerId?: string;
  /** Delay before the next attempt after `attempts` attempts; tests pass () => 0. Default: the outbound back-off. */
  retryDelayMs?: (attempts: number) => number;
  /** How often an idle worker looks for due webhooks; default OUTBOUND_LIMITS.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Host name resolution (tests point names at 127.0.0.1); default node:dns. */
  resolve?: PostOptions['resolve'];
}

export interface WebhookWorker {
  start(): void;
  /** Stops polling and waits for the POSTs in progress. */
  stop(): Promise<void>;
  /** One pass: claims and posts the due webhooks; resolves with how many it tried. */
  runOnce(): Promise<number>;
}

export function createWebhookWorker(deps: WebhookWorkerDeps): WebhookWorker {
  const { config, control } = deps;
  const workerId = deps.workerId ?? `webhooks-${process.pid}-${randomBytes(4).toString('hex')}`;
  const retryDelay = deps.retryDelayMs ?? backoffDelay;
  const log = deps.logger.child({ component: 'webhooks', workerId });
  const post: PostOptions = {
    allowPrivate: config.webhooks.allowPrivate,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  };

  async function attempt(item: WebhookItem): Promise<void> {
    const secret = await control.webhookSecret(item.domainId);
    const outcome = await postWebhook(item.url, item.body, secret, post);
    const now = Date.now();
    if (outcome.kind === 'delivered') {
      await control.recordWebhookAttempt(item.id, workerId, { outcome: 'delivered' });
      log.info({ webhookId: item.id, status: outcome.status, attempts: item.attempts + 1 }, 'webhook delivered');
      return;
    }
    const expired = now - item.createdAt.getTime() >= config.smtp.outboundMaxAgeMs;
    const final = outcome.kind === 'refused' || expired;
    const error = expired && outcome.kind === 'retry' ? `gave up after retrying: ${outcome.error}` : outcome.error;
    await control.recordWebhookAttempt(item.id, workerId, {
      outcome: final ? 'failed' : 'retry',
      nextAttemptAt: new Date(now + retryDelay(item.attempts + 1)),
      error,
    });
    log.warn({ webhookId: item.id, error, final }, 'webhook not delivered');
  }

  async function runOnce(): Promise<number> {
    const items = await control.claimDueWebhooks(
      workerId,
      new Date(),
      WEBHOOK_LIMITS.concurrency,
      WEBHOOK_LIMITS.leaseMs,
    );
    await Promise.all(
      items.map((item) =>
        attempt(item).catch((err: unknown) => log.error({ err, webhookId: item.id }, 'webhook attempt failed')),
      ),
    );
    return items.length;
  }

  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;

  async function run(): Promise<void> {
    while (running) {
      const tried = await runOnce().catch((err: unknown) => {
        log.error({ err }, 'webhook pass failed');
        return 0;
      });
      if (tried > 0 || !running) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, deps.pollIntervalMs ?? OUTBOUND_LIMITS.pollIntervalMs);
      });
      clearTimeout(timer);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    runOnce,
  };
}
