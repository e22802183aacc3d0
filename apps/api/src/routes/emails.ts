/**
 * /v1/emails: sending over HTTP. POST takes a message in Forward Email's shape (email-shapes.ts), builds it with
 * MailComposer or takes it raw (email-compose.ts) and hands it to the same submission flow as SMTP submission
 * (@mailyard/smtp createMessageSender: sender ownership, DKIM signature, local delivery, outbound queue), durable
 * before the 201. GET lists and shows what was sent and where each recipient stands; DELETE withdraws a message
 * still waiting in the outbound queue; GET /v1/emails/limit shows the sending limits and their use.
 *
 * Two credentials work here. An account's API token (Basic, token as user name) may send as any enabled alias of
 * the account's verified domains; there is no Sent copy, because a token never reaches a mailbox (zero-access).
 * Mailbox credentials (Basic, alias address and mailbox password, checked by mailbox-auth.ts) send as that alias
 * and what its can_send_as grants, and file a copy in its Sent folder (sealed into its spool like any delivery);
 * they see only the messages that alias sent.
 *
 * Limits: the sender's (MessageSender.limits, @mailyard/smtp sending-limits.ts), which SMTP submission counts
 * against too, in the coordination's shared counters: smtp.messagesPerSenderPerHour per sending alias,
 * smtp.dailySendLimit per sending alias and per domain over the last 24 hours; 429 past either.
 */
import type { Domain, SentEmail } from '@mailyard/control';
import {
  AuthenticationError,
  ConflictError,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  TryAgainLaterError,
  ValidationError,
} from '@mailyard/errors';
import type { HttpSender, MessageSender, SendingLimits } from '@mailyard/smtp';
import { readBody } from '../body.js';
import { type ApiContext, type ApiRouter, listParams, param, type RouteDeps, setPageHeaders } from '../context.js';
import { parseInput } from '../validation.js';
import { composeEmail } from './email-compose.js';
import { emailCreate } from './email-shapes.js';

export const EMAILS_PREFIX = '/v1/emails';

/** Basic user name of the request, when it sends one. */
function basicUser(header: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

/** True for /v1/emails requests whose Basic user is an address: mailbox credentials, not a token (auth.ts). */
export function sendsWithMailboxCredentials(path: string, authorization: string): boolean {
  if (path !== EMAILS_PREFIX && !path.startsWith(`${EMAILS_PREFIX}/`)) return false;
  return basicUser(authorization)?.includes('@') === true;
}

/** Who the request is: an account by token, or a mailbox (its alias) by its own credentials. */
interface Caller {
  accountId: string;
  /** Set for mailbox credentials. */
  mailbox: { address: string; aliasId: string; mailboxId: string; domain: Domain; canSendAs: string[] } | null;
  email: string;
}

async function caller(ctx: ApiContext, deps: RouteDeps): Promise<Caller> {
  const authorization = ctx.get('authorization');
  if (!sendsWithMailboxCredentials(ctx.path, authorization)) {
    if (!ctx.state.auth) throw new AuthenticationError('send your API token, or the mailbox address and password');
    const { account } = ctx.state.auth;
    return { accountId: account.id, mailbox: null, email: account.email };
  }
  const { identity, session } = await deps.mailboxes.open(authorization, ctx.ip);
  session.close();
  const at = identity.address.lastIndexOf('@');
  const domain = await deps.control.findDomainByName(identity.address.slice(at + 1));
  const alias = domain ? await deps.control.findAlias(domain.id, identity.aliasId) : null;
  if (!domain || !alias) throw new AuthenticationError('invalid mailbox address or password');
  return {
    accountId: domain.accountId,
    mailbox: { ...identity, domain, canSendAs: alias.canSendAs },
    email: identity.address,
  };
}

function httpSender(who: Caller): HttpSender {
  if (!who.mailbox) return { kind: 'account', accountId: who.accountId, email: who.email };
  const { mailbox } = who;
  return {
    kind: 'mailbox',
    address: mailbox.address,
    mailboxId: mailbox.mailboxId,
    rights: {
      local: mailbox.address.slice(0, mailbox.address.lastIndexOf('@')),
      domain: mailbox.domain.name,
      accountId: who.accountId,
      canSendAs: mailbox.canSendAs,
    },
  };
}

/** A refusal of the submission flow (an SMTP reply: responseCode, enhanced code first) as the HTTP error it means. */
function fromSmtpReply(err: unknown): unknown {
  const code = (err as { responseCode?: unknown }).responseCode;
  if (typeof code !== 'number' || !(err instanceof Error)) return err;
  const text = err.message.replace(/^\d\.\d{1,3}\.\d{1,3} /, '');
  // A hosted recipient's mailbox quota (452 4.2.2 full now, 552 5.2.2 larger than the whole quota): 422 OVERQUOTA.
  if (/^[45]\.2\.2 /.test(err.message)) return new QuotaExceededError(text);
  if (code === 552 || err.message.startsWith('5.3.4')) return new MessageTooLargeError(text);
  if (code >= 500 && err.message.startsWith('5.7.')) return new PermissionError(text);
  if (code >= 500) return new ValidationError(text);
  return new TryAgainLaterError(text);
}

/** The JSON body limit of a send: the largest message, base64-encoded, plus room for the other fields. */
function sendBodyLimit(deps: RouteDeps): number {
  return Math.ceil((deps.config.smtp.maxMessageSize * 4) / 3) + deps.config.api.bodyLimitBytes;
}

async function present(deps: RouteDeps, email: SentEmail) {
  const queued = email.queueId ? await deps.control.getQueueItem(email.queueId) : null;
  const log = email.queueId ? await deps.control.deliveryLog(email.queueId) : [];
  const local = email.localRecipients.map((address) => ({
    address,
    status: 'delivered' as const,
    attempts: 0,
    last_response: null,
  }));
  const remote = (queued?.recipients ?? []).map((r) => {
    const tries = log.filter((entry) => entry.recipient === r.address);
    return {
      address: r.address,
      status: r.status,
      attempts: tries.length,
      last_response: r.lastError ?? tries[tries.length - 1]?.message ?? null,
    };
  });
  return {
    id: email.id,
    message_id: email.messageId,
    from: email.sender,
    subject: email.subject,
    size: email.size,
    status: queued?.state ?? 'delivered',
    sent_copy: email.aliasId !== null,
    recipients: [...local, ...remote],
    created_at: email.createdAt.toISOString(),
  };
}

async function ownEmail(ctx: ApiContext, deps: RouteDeps, who: Caller): Promise<SentEmail> {
  const email = await deps.control.getSentEmail(who.accountId, param(ctx, 'email'));
  if (!email || (who.mailbox && email.aliasId !== who.mailbox.aliasId)) throw new NotFoundError('email not found');
  return email;
}

async function send(ctx: ApiContext, deps: RouteDeps, sender: MessageSender) {
  const who = await caller(ctx, deps);
  const input = parseInput(emailCreate, await readBody(ctx, sendBodyLimit(deps), deps.budget));
  const email = await composeEmail(input);
  if (email.raw.length > deps.config.smtp.maxMessageSize) {
    throw new MessageTooLargeError(`message over ${deps.config.smtp.maxMessageSize} bytes`);
  }
  if (email.recipients.length > deps.config.smtp.maxRecipients) {
    throw new ValidationError(`at most ${deps.config.smtp.maxRecipients} recipients`, 'to');
  }
  const from = email.envelopeFrom.toLowerCase();
  const domain = from.slice(from.lastIndexOf('@') + 1);
  const submitted = await sender
    .send({ raw: email.raw, envelopeFrom: from, recipients: email.recipients, sender: httpSender(who) })
    .catch((err: unknown) => {
      throw fromSmtpReply(err);
    });
  const sent = await deps.control.recordSentEmail({
    accountId: who.accountId,
    aliasId: who.mailbox?.aliasId ?? null,
    sender: from,
    domain,
    messageId: submitted.messageId,
    subject: email.subject,
    size: email.raw.length,
    localRecipients: submitted.local,
    queueId: submitted.queueId,
  });
  ctx.status = 201;
  ctx.body = await present(deps, sent);
}

/** The sending limits and their use, as the sender (and SMTP submission) count it: without counting anything. */
async function limit(ctx: ApiContext, deps: RouteDeps, limits: SendingLimits) {
  const who = await caller(ctx, deps);
  const names = who.mailbox
    ? [who.mailbox.domain.name]
    : (await deps.control.listDomains(who.accountId, { page: 1, limit: 1000 })).items
        .filter((d) => d.verifiedAt !== null)
        .map((d) => d.name);
  const domains = [];
  for (const domain of names) {
    const use = await limits.domainUse(domain);
    domains.push({ domain, count: use.used, remaining: use.remaining });
  }
  let sender = null;
  if (who.mailbox) {
    const address = who.mailbox.address.toLowerCase();
    const use = await limits.senderUse(address);
    sender = { address, count: use.daily.used, remaining: use.daily.remaining, hourly_count: use.hourly.used };
  }
  ctx.body = { limit: limits.dailyLimit, hourly_limit: limits.hourlyLimit, domains, sender };
}

export function registerEmailRoutes(router: ApiRouter, deps: RouteDeps, sender: MessageSender | undefined): void {
  router.post('/emails', (ctx: ApiContext) => {
    if (!sender) throw new TryAgainLaterError('this API process has no message sender (ApiDeps.sender)');
    return send(ctx, deps, sender);
  });
  router.get('/emails/limit', (ctx: ApiContext) => {
    if (!sender) throw new TryAgainLaterError('this API process has no message sender (ApiDeps.sender)');
    return limit(ctx, deps, sender.limits);
  });
  router.get('/emails', async (ctx: ApiContext) => {
    const who = await caller(ctx, deps);
    const { page, limit: size } = listParams(ctx);
    const found = await deps.control.listSentEmails(who.accountId, page, size, who.mailbox?.aliasId);
    setPageHeaders(ctx, found);
    ctx.body = await Promise.all(found.items.map((email) => present(deps, email)));
  });
  router.get('/emails/:email', async (ctx: ApiContext) => {
    const who = await caller(ctx, deps);
    ctx.body = await present(deps, await ownEmail(ctx, deps, who));
  });
  router.delete('/emails/:email', async (ctx: ApiContext) => {
    const who = await caller(ctx, deps);
    const email = await ownEmail(ctx, deps, who);
    const outcome = email.queueId ? await deps.control.cancelQueued(email.queueId) : 'final';
    if (outcome === 'busy') throw new ConflictError('the message is being delivered right now; try again shortly');
    if (outcome !== 'cancelled') throw new ConflictError('the message is no longer queued');
    ctx.body = await present(deps, email);
  });
}
