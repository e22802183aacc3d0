/**
 * Aliases of a domain (forwarding addresses, mailboxes, the '*' catch-all, wildcard and regular-expression
 * patterns refused with a 400 when unsafe) and mailbox passwords. Lists filter by `?label=`; external forwards of
 * an alias with recipient verification are asked to confirm (alias-verification.ts). A new password
 * for an existing mailbox needs its current password or recovery key; those checks go through the shared
 * LoginGate (per client address and per mailbox address + client address), so they cannot be guessed at speed.
 */
import {
  type Alias,
  type Domain,
  type IssuedPassword,
  issueMailboxPassword,
  isWebhookUrl,
  type PasswordRequest,
  webhookUrlRefusal,
} from '@mailyard/control';
import { NotFoundError, PermissionError, RateLimitError, ValidationError } from '@mailyard/errors';
import type { MessageSender } from '@mailyard/smtp';
import { type ApiContext, type ApiRouter, body, ownDomain, param, type RouteDeps, setPageHeaders } from '../context.js';
import { presentAlias } from '../present.js';
import { aliasQuotaPatch, applyAliasQuota, quotaSetter, withAliasQuota, withAliasQuotas } from '../quota-fields.js';
import { aliasCreate, aliasListQuery, aliasUpdate, generatePassword, recipientVerificationResend } from '../schemas.js';
import { parseInput } from '../validation.js';
import { RESEND_INTERVAL_MS, requestVerifications, resendVerification } from './alias-verification.js';

async function ownAlias(ctx: ApiContext, deps: RouteDeps): Promise<{ domain: Domain; alias: Alias }> {
  const domain = await ownDomain(ctx, deps);
  const alias = await deps.control.findAlias(domain.id, param(ctx, 'alias'));
  if (!alias) throw new NotFoundError('alias not found');
  return { domain, alias };
}

/**
 * A recipient that is a webhook URL is checked when it is configured (webhookUrlRefusal: https only, no private
 * or loopback address, unless webhooks.allowPrivate); the webhook worker checks the addresses again on delivery.
 */
function toPatch(input: ReturnType<typeof aliasUpdate.parse>, allowPrivate: boolean) {
  for (const recipient of input.recipients ?? []) {
    const refusal = isWebhookUrl(recipient) ? webhookUrlRefusal(recipient, allowPrivate) : null;
    if (refusal) throw new ValidationError(`${refusal}: ${recipient}`, 'recipients');
  }
  return {
    name: input.name,
    recipients: input.recipients,
    hasImap: input.has_imap,
    isEnabled: input.is_enabled,
    description: input.description,
    labels: input.labels,
    errorCodeIfDisabled: input.error_code_if_disabled,
    hasRecipientVerification: input.has_recipient_verification,
  };
}

export function registerAliasRoutes(
  router: ApiRouter,
  deps: RouteDeps,
  sender?: MessageSender,
  resendIntervalMs = RESEND_INTERVAL_MS,
): void {
  router.get('/domains/:domain/aliases', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const page = await deps.control.listAliases(domain.id, parseInput(aliasListQuery, ctx.query));
    setPageHeaders(ctx, page);
    ctx.body = await withAliasQuotas(
      deps,
      page.items.map((alias) => ({ alias, shown: presentAlias(alias, domain) })),
    );
  });

  router.post('/domains/:domain/aliases', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const input = parseInput(aliasCreate, await body(ctx, deps));
    const patch = toPatch(input, deps.config.webhooks.allowPrivate);
    const quota = aliasQuotaPatch(input, quotaSetter(ctx, deps));
    const alias = await deps.control.createAlias(domain.id, { ...patch, name: input.name });
    await applyAliasQuota(deps, alias.id, quota);
    await requestVerifications(deps, sender, domain, alias);
    ctx.status = 201;
    ctx.body = await withAliasQuota(deps, presentAlias(alias, domain), alias.id);
  });

  router.get('/domains/:domain/aliases/:alias', async (ctx: ApiContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    ctx.body = await withAliasQuota(deps, presentAlias(alias, domain), alias.id);
  });

  router.put('/domains/:domain/aliases/:alias', async (ctx: ApiContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const input = parseInput(aliasUpdate, await body(ctx, deps));
    const patch = toPatch(input, deps.config.webhooks.allowPrivate);
    const quota = aliasQuotaPatch(input, quotaSetter(ctx, deps));
    const updated = await deps.control.updateAlias(domain.id, alias.id, patch);
    if (!updated) throw new NotFoundError('alias not found');
    await applyAliasQuota(deps, updated.id, quota);
    await requestVerifications(deps, sender, domain, updated);
    ctx.body = await withAliasQuota(deps, presentAlias(updated, domain), updated.id);
  });

  router.get('/domains/:domain/aliases/:alias/recipient-verifications', async (ctx: ApiContext) => {
    const { alias } = await ownAlias(ctx, deps);
    ctx.body = (await deps.control.listRecipientVerifications(alias.id)).map((v) => ({
      recipient: v.recipient,
      sent_at: v.sentAt.toISOString(),
      verified_at: v.verifiedAt?.toISOString() ?? null,
    }));
  });

  router.post('/domains/:domain/aliases/:alias/recipient-verifications/resend', async (ctx: ApiContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const { recipient } = parseInput(recipientVerificationResend, await body(ctx, deps));
    const sentAt = await resendVerification(deps, sender, { domain, alias, recipient }, resendIntervalMs);
    ctx.body = { recipient: recipient.toLowerCase(), sent_at: sentAt.toISOString() };
  });

  router.delete('/domains/:domain/aliases/:alias', async (ctx: ApiContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const removed = await deps.control.deleteAlias(domain.id, alias.id);
    if (!removed) throw new NotFoundError('alias not found');
    if (removed.mailboxId) await deps.mailstore.deleteMailbox(removed.mailboxId);
    ctx.status = 204;
  });

  router.post('/domains/:domain/aliases/:alias/generate-password', async (ctx: ApiContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    if (alias.name === '*') throw new ValidationError('the catch-all cannot have a mailbox', 'alias');
    if (alias.patternKind !== 'exact') throw new ValidationError('a pattern alias cannot have a mailbox', 'alias');
    const input = parseInput(generatePassword, await body(ctx, deps));
    const issued = await gatedIssue(ctx, deps, alias, `${alias.name}@${domain.name}`, {
      newPassword: input.new_password,
      password: input.password,
      recoveryKey: input.recovery_key,
    });
    ctx.status = issued.created ? 201 : 200;
    ctx.body = {
      address: presentAlias(alias, domain).address,
      username: `${alias.name}@${domain.name}`,
      password: issued.password,
      ...(issued.recoveryKey ? { recovery_key: issued.recoveryKey } : {}),
      mailbox_created: issued.created,
    };
  });
}

/** issueMailboxPassword; a wrong current password or recovery key counts as a failed login for the mailbox. */
async function gatedIssue(
  ctx: ApiContext,
  deps: RouteDeps,
  alias: Alias,
  address: string,
  request: PasswordRequest,
): Promise<IssuedPassword> {
  const proves = alias.mailboxId !== null && (request.password !== undefined || request.recoveryKey !== undefined);
  if (!proves) return issueMailboxPassword(deps.control, deps.mailstore, alias, request);
  const checked = await deps.loginGate.attempt(ctx.ip, address, async () => {
    try {
      return await issueMailboxPassword(deps.control, deps.mailstore, alias, request);
    } catch (err) {
      if (!(err instanceof PermissionError)) throw err;
      // The fixed message fail2ban matches (ansible/roles/security), as for every failed login.
      deps.logger.info({ ip: ctx.ip, user: address }, 'authentication failed');
      return null;
    }
  });
  if (!checked.allowed) {
    throw new RateLimitError('too many wrong passwords or recovery keys, try again later', checked.retryAfterMs);
  }
  if (!checked.value) throw new PermissionError('the current password or recovery key is wrong');
  return checked.value;
}
