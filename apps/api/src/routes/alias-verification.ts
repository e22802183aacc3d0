/**
 * Recipient verification of aliases' external forwards. After an alias with has_recipient_verification is created
 * or changed, each external recipient not asked before gets one email with a confirmation link (through the
 * outbound queue, @mailyard/smtp MessageSender.sendVerificationRequest); the MX forwards to it only once it
 * confirmed. GET /v1/aliases/verify?token= confirms without an API token: the link is the credential (only its
 * SHA-256 is stored), and a second visit keeps the first confirmation. GET .../recipient-verifications lists where
 * each recipient stands. POST .../recipient-verifications/resend emails a recipient that has not confirmed a new
 * link (the previous one stops working), at most once per RESEND_INTERVAL_MS per recipient, counted from the last
 * email in control.db so that every API and dashboard process sees it (429 with Retry-After before then). The
 * dashboard's button goes through resendVerification too.
 */
import { type Alias, type ControlStore, type Domain, domainToDisplay } from '@mailyard/control';
import { ConflictError, NotFoundError, RateLimitError, TryAgainLaterError } from '@mailyard/errors';
import type { MessageSender } from '@mailyard/smtp';
import type { ApiContext, ApiRouter, RouteDeps } from '../context.js';
import { recipientVerificationQuery } from '../schemas.js';
import { parseInput } from '../validation.js';

/**
 * At most one verification email per recipient per 10 minutes: enough for "it went to spam, send it again", too
 * few for an alias's owner to flood someone else's address through this server.
 */
export const RESEND_INTERVAL_MS = 10 * 60_000;

/** What sending verification emails needs: the configuration (for the link) and the control store. */
export type VerificationDeps = Pick<RouteDeps, 'config' | 'control'>;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Where the confirmation link points: this API directly on a loopback bind, else https on the public host name. */
export function verificationLinkBase(config: VerificationDeps['config']): string {
  return LOOPBACK.has(config.bind)
    ? `http://${config.bind.includes(':') ? `[${config.bind}]` : config.bind}:${config.api.port}/v1`
    : `https://${config.hostname}/v1`;
}

/**
 * Brings the alias's verification rows in line with its recipients and emails the recipients not asked before.
 * Without a sender (an API process built without one) the rows are kept and nothing is sent.
 */
export async function requestVerifications(
  deps: VerificationDeps,
  sender: MessageSender | undefined,
  domain: Domain,
  alias: Alias,
): Promise<void> {
  const issued = await deps.control.syncRecipientVerifications(alias.id);
  if (!sender) return;
  for (const request of issued) await emailLink(deps, sender, domain, alias, request);
}

/** After the domain-wide setting was switched on: requestVerifications for every alias of the domain. */
export async function requestDomainVerifications(
  deps: VerificationDeps,
  sender: MessageSender | undefined,
  domain: Domain,
): Promise<void> {
  for (let page = 1; ; page++) {
    const aliases = await deps.control.listAliases(domain.id, { page, limit: 100 });
    for (const alias of aliases.items) await requestVerifications(deps, sender, domain, alias);
    if (page * 100 >= aliases.total) return;
  }
}

async function emailLink(
  deps: VerificationDeps,
  sender: MessageSender,
  domain: Domain,
  alias: Alias,
  request: { recipient: string; token: string },
): Promise<void> {
  await sender.sendVerificationRequest({
    aliasAddress: `${alias.name}@${domainToDisplay(domain.name)}`,
    domain: domain.name,
    recipient: request.recipient,
    link: `${verificationLinkBase(deps.config)}/aliases/verify?token=${encodeURIComponent(request.token)}`,
  });
}

/**
 * Emails `recipient` a new verification link. Throws: 503 without a sender, 409 when the alias has verification
 * off or the recipient already confirmed, 404 for an address that is not one of its external forwards, 429 (with
 * the wait) within `intervalMs` of the last email. Resolves with when the email was queued.
 */
export async function resendVerification(
  deps: VerificationDeps & { control: ControlStore },
  sender: MessageSender | undefined,
  target: { domain: Domain; alias: Alias; recipient: string },
  intervalMs = RESEND_INTERVAL_MS,
): Promise<Date> {
  const { domain, alias, recipient } = target;
  if (!sender) throw new TryAgainLaterError('this process has no message sender to email the link');
  if (!alias.hasRecipientVerification && !domain.hasRecipientVerification) {
    throw new ConflictError('recipient verification is off for this alias');
  }
  const result = await deps.control.reissueRecipientVerification(alias.id, recipient, intervalMs);
  switch (result.outcome) {
    case 'unknown':
      throw new NotFoundError(`${recipient} is not an external forward of this alias`);
    case 'verified':
      throw new ConflictError(`${recipient} has already confirmed`);
    case 'too-soon':
      throw new RateLimitError(
        `a verification email went to ${recipient} less than ${Math.ceil(intervalMs / 60_000)} minutes ago`,
        result.retryAfterMs,
      );
  }
  await emailLink(deps, sender, domain, alias, result.issued);
  return new Date();
}

export function registerAliasVerificationRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/aliases/verify', async (ctx: ApiContext) => {
    const { token } = parseInput(recipientVerificationQuery, ctx.query);
    const confirmed = await deps.control.confirmRecipientVerification(token);
    if (!confirmed) throw new NotFoundError('unknown or withdrawn verification link');
    ctx.body = { recipient: confirmed.recipient, verified: true };
  });
}
