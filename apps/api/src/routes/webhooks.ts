/**
 * Event webhooks: /v1/domains/:domain/event-webhooks lists, adds ({url, events}) and removes URLs that get a signed
 * POST for each mail log event of the domain they name (delivered, deferred, bounced, rejected: GET /v1/logs), with
 * the same URL rules as webhook recipients (webhookUrlRefusal) and through the same queue and worker.
 *
 * Webhook signing secrets: POST /v1/domains/:domain/webhook-secret makes a new secret for the domain (replacing any
 * earlier one) and shows it this once; the server keeps it sealed. Every webhook POST for the domain's aliases
 * carries `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body under this secret>`. A domain that receives a
 * webhook before its owner asked for a secret gets one made then, which nobody sees until it is replaced here.
 */

import { type EventWebhook, normalizeWebhookUrl, webhookUrlRefusal } from '@mailyard/control';
import { NotFoundError, ValidationError } from '@mailyard/errors';
import { SIGNATURE_HEADER } from '@mailyard/smtp/sender';
import { z } from 'zod';
import { type ApiContext, type ApiRouter, adminDomain, body, param, type RouteDeps } from '../context.js';
import type { Operation } from '../openapi.js';
import { parseInput } from '../validation.js';

export const webhookSecretOut = z.strictObject({
  secret: z.string(),
  /** The request header that carries the signature. */
  header: z.string(),
  /** What the signature is: HMAC-SHA256 of the exact request body, hex, after 'sha256='. */
  algorithm: z.literal('hmac-sha256'),
});

const eventKinds = z.enum(['delivered', 'deferred', 'bounced', 'rejected', 'discarded']);

export const eventWebhookCreate = z.strictObject({
  url: z.string().max(2048),
  events: z.array(eventKinds).min(1).max(4),
});

export const eventWebhookOut = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(eventKinds),
  created_at: z.iso.datetime(),
});

function presentEventWebhook(hook: EventWebhook) {
  return { id: hook.id, url: hook.url, events: hook.events, created_at: hook.createdAt.toISOString() };
}

export function webhookOperations(): Operation[] {
  const base = '/domains/{domain}/event-webhooks';
  return [
    {
      method: 'get',
      path: base,
      summary: "The domain's event webhooks",
      reply: z.array(eventWebhookOut),
      status: 200,
    },
    {
      method: 'post',
      path: base,
      summary: 'Add an event webhook: a URL that gets a signed POST for each mail log event it names',
      body: eventWebhookCreate,
      reply: eventWebhookOut,
      status: 201,
    },
    { method: 'delete', path: `${base}/{hook}`, summary: 'Remove an event webhook', status: 204 },
    {
      method: 'post',
      path: '/domains/{domain}/webhook-secret',
      summary: "Make a new signing secret for the domain's webhooks (replacing the old one); shown once",
      reply: webhookSecretOut,
      status: 201,
    },
  ];
}

export function registerWebhookRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/domains/:domain/event-webhooks', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'manage its webhooks');
    ctx.body = (await deps.control.listEventWebhooks(domain.id)).map(presentEventWebhook);
  });
  router.post('/domains/:domain/event-webhooks', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'manage its webhooks');
    const input = parseInput(eventWebhookCreate, await body(ctx, deps));
    const refusal = webhookUrlRefusal(input.url, deps.config.webhooks.allowPrivate);
    if (refusal) throw new ValidationError(refusal, 'url');
    const url = normalizeWebhookUrl(input.url) ?? input.url;
    ctx.status = 201;
    ctx.body = presentEventWebhook(await deps.control.createEventWebhook(domain.id, { url, events: input.events }));
  });
  router.delete('/domains/:domain/event-webhooks/:hook', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'manage its webhooks');
    if (!(await deps.control.deleteEventWebhook(domain.id, param(ctx, 'hook')))) {
      throw new NotFoundError('event webhook not found');
    }
    ctx.status = 204;
  });

  router.post('/domains/:domain/webhook-secret', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'manage its webhooks');
    const secret = await deps.control.rotateWebhookSecret(domain.id);
    deps.logger.info({ domain: domain.name }, 'webhook secret replaced');
    ctx.status = 201;
    ctx.body = { secret, header: SIGNATURE_HEADER, algorithm: 'hmac-sha256' };
  });
}
