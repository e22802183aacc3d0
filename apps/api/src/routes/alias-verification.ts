/**
 * Recipient verification of aliases' external forwards. After an alias with has_recipient_verification is created
 * or changed, each external recipient not asked before gets one email with a confirmation link (through the
 * outbound queue, @mailyard/smtp MessageSender.sendVerificationRequest); the MX forwards to it only once it
 * confirmed. GET /v1/aliases/verify?token= confirms without an API token: the link is the credential (only its
 * SHA-256 is stored), and a second visit keeps the first confirmation. GET .../recipient-verifications lists where
 * each recipient stands.
 */
import { type Alias, type Domain, domainToDisplay } from '@mailyard/control';
import { NotFoundError } from '@mailyard/errors';
import type { MessageSender } from '@mailyard/smtp';
import type { ApiContext, ApiRouter, RouteDeps } from '../context.js';
import { recipientVerificationQuery } from '../schemas.js';
import { parseInput } from '../validation.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Where the confirmation link points: this API directly on a loopback bind, else https on the public host name. */
export function verificationLinkBase(config: RouteDeps['config']): string {
  return LOOPBACK.has(config.bind)
    ? `http://${config.bind.includes(':') ? `[${config.bind}]` : config.bind}:${config.api.port}/v1`
    : `https://${config.hostname}/v1`;
}

/**
 * Brings the alias's verification rows in line with its recipients and emails the recipients not asked before.
 * Without a sender (an API process built without one) the rows are kept and nothing is sent.
 */
export async function requestVerifications(
  deps: RouteDeps,
  sender: MessageSender | undefined,
  domain: Domain,
  alias: Alias,
): Promise<void> {
  const issued = await deps.control.syncRecipientVerifications(alias.id);
  if (!sender) return;
  const base = verificationLinkBase(deps.config);
  for (const request of issued) {
    await sender.sendVerificationRequest({
      aliasAddress: `${alias.name}@${domainToDisplay(domain.name)}`,
      domain: domain.name,
      recipient: request.recipient,
      link: `${base}/aliases/verify?token=${encodeURIComponent(request.token)}`,
    });
  }
}

export function registerAliasVerificationRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/aliases/verify', async (ctx: ApiContext) => {
    const { token } = parseInput(recipientVerificationQuery, ctx.query);
    const confirmed = await deps.control.confirmRecipientVerification(token);
    if (!confirmed) throw new NotFoundError('unknown or withdrawn verification link');
    ctx.body = { recipient: confirmed.recipient, verified: true };
  });
}
