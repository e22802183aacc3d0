/**
 * Recipient verification of aliases' external forwards. After an alias with has_recipient_verification is created
 * or changed, each external recipient not asked before gets one email with a confirmation link (through the
 * outbound queue, @mailyard/smtp MessageSender.sendVerificationRequest); the MX forwards to it only once it
 * confirmed. The link's GET /v1/aliases/verify?token= only shows a page (verification-page.ts) saying which
 * recipient and alias it is for, with a button: mail security gateways, antivirus link checkers and mail apps'
 * previews fetch every link of a message on their own, so a GET that confirmed would start a forward nobody agreed
 * to. The button POSTs the token in the body to POST /v1/aliases/verify, which confirms without an API token: the
 * token is the credential (only its SHA-256 is stored), and a second confirmation keeps the first. A browser's
 * cross-site post is refused (403). GET .../recipient-verifications lists where
 * each recipient stands. POST .../recipient-verifications/resend emails a recipient that has not confirmed a new
 * link (the previous one stops working), at most once per RESEND_INTERVAL_MS per recipient, counted from the last
 * email in control.db so that every API and dashboard process sees it (429 with Retry-After before then). The
 * dashboard's button goes through resendVerification too.
 */
import { type Alias, type ControlStore, type Domain, domainToDisplay } from '@mailyard/control';
import { ConflictError, NotFoundError, PermissionError, RateLimitError, TryAgainLaterError } from '@mailyard/errors';
import type { MessageSender } from '@mailyard/smtp';
import { type ApiContext, type ApiRouter, body, type RouteDeps } from '../context.js';
import { recipientVerificationConfirm, recipientVerificationQuery } from '../schemas.js';
import { parseInput } from '../validation.js';
import { aliasAddress, askPage, confirmedPage, PAGE_CSP, unknownLinkPage } from './verification-page.js';

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
    privateReply(ctx);
    const { token } = parseInput(recipientVerificationQuery, ctx.query);
    const link = await deps.control.describeRecipientVerification(token);
    if (ctx.accepts('html', 'json') === 'json') {
      if (!link) throw new NotFoundError(UNKNOWN_LINK);
      ctx.body = { recipient: link.recipient, alias: aliasAddress(link), verified: link.verifiedAt !== null };
      return;
    }
    if (!link) return sendPage(ctx, 404, unknownLinkPage());
    sendPage(ctx, 200, link.verifiedAt ? confirmedPage(link, 'before') : askPage(link, token));
  });

  router.post('/aliases/verify', async (ctx: ApiContext) => {
    privateReply(ctx);
    refuseCrossSite(ctx);
    const { token } = parseInput(recipientVerificationConfirm, await body(ctx, deps));
    const html = ctx.accepts('json', 'html') === 'html';
    const before = await deps.control.describeRecipientVerification(token);
    const confirmed = before && (await deps.control.confirmRecipientVerification(token));
    if (!before || !confirmed) {
      if (html) return sendPage(ctx, 404, unknownLinkPage());
      throw new NotFoundError(UNKNOWN_LINK);
    }
    if (html) return sendPage(ctx, 200, confirmedPage(before, before.verifiedAt ? 'before' : 'now'));
    ctx.body = { recipient: confirmed.recipient, alias: aliasAddress(before), verified: true };
  });
}

const UNKNOWN_LINK = 'unknown or withdrawn verification link';

/** The token is in the URL or the body: nothing of these replies is cached or leaks the URL through a Referer. */
function privateReply(ctx: ApiContext): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
}

/**
 * Another site's page cannot make a browser confirm a token through it (it would need the token anyway): a 403 for
 * a cross-site or same-site post by Fetch Metadata's Sec-Fetch-Site, which a browser sets and a page cannot; from a
 * browser that sends none, for an Origin other than this API's. The page's own form is same-origin (and under its
 * Referrer-Policy no-referrer its Origin is `null`). API clients send neither header.
 */
function refuseCrossSite(ctx: ApiContext): void {
  const site = ctx.get('sec-fetch-site');
  const origin = ctx.get('origin');
  const crossSite = site
    ? site !== 'same-origin' && site !== 'none'
    : origin !== '' && origin !== 'null' && origin !== `${ctx.protocol}://${ctx.host}`;
  if (crossSite) throw new PermissionError('a verification link is confirmed from its own page, not from another site');
}

function sendPage(ctx: ApiContext, status: number, page: string): void {
  ctx.status = status;
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page;
}
