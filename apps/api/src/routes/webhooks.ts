/**
 * Webhook signing secrets: POST /v1/domains/:domain/webhook-secret makes a new secret for the domain (replacing any
 * earlier one) and shows it this once; the server keeps it sealed. Every webhook POST for the domain's aliases
 * carries `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body under this secret>`. A domain that receives a
 * webhook before its owner asked for a secret gets one made then, which nobody sees until it is replaced here.
 */
import { SIGNATURE_HEADER } from '@mailyard/smtp';
import { z } from 'zod';
import { type ApiContext, type ApiRouter, ownDomain, type RouteDeps } from '../context.js';
import type { Operation } from '../openapi.js';

export const webhookSecretOut = z.strictObject({
  secret: z.string(),
  /** The request header that carries the signature. */
  header: z.string(),
  /** What the signature is: HMAC-SHA256 of the exact request body, hex, after 'sha256='. */
  algorithm: z.literal('hmac-sha256'),
});

export function webhookOperations(): Operation[] {
  return [
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
  router.post('/domains/:domain/webhook-secret', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const secret = await deps.control.rotateWebhookSecret(domain.id);
    deps.logger.info({ domain: domain.name }, 'webhook secret replaced');
    ctx.status = 201;
    ctx.body = { secret, header: SIGNATURE_HEADER, algorithm: 'hmac-sha256' };
  });
}
