/**
 * Where a message for a hosted address goes (the per-recipient step of the inbound and submission flows):
 * into the mailbox spool of the alias, and/or to the alias's forwarding recipients through the outbound queue
 * with an SRS-rewritten envelope sender and an ARC seal by the forwarding domain (RFC 8617), so that forwarded
 * mail still passes SPF and DMARC at its destination. SRS0 addresses of a hosted domain route bounces back to
 * the original sender. Each recipient's active Sieve script decides its mailbox copies (folder, flags), redirects,
 * reject and vacation (sieve-delivery.ts); an alias recipient that is a URL gets a webhook (webhooks/): planLocal runs the scripts and may yield a refusal before anything is
 * stored, deliverPlanned carries the plan out; deliverLocally does both.
 *
 * Invariant: `deliverLocally` / `deliverPlanned` resolve only when every copy is durable (spool fsynced, queue row
 * committed), so the caller may answer 250. A large message is sealed into each spool as a stream; only a
 * forwarded copy (the outbound queue keeps whole messages) or one a script reads is held in memory, and then
 * within the in-flight byte budget.
 */

import { isWebhookUrl, splitAddress } from '@mailyard/control';
import type { Reservation } from '@mailyard/limits';
import type { DeliverMeta } from '@mailyard/mailstore';
import type { SmtpContext } from './deps.js';
import { mailauth } from './lazy-mailauth.js';
import { logMailEvents } from './mail-log.js';
import { enqueueOutbound } from './outbound/enqueue.js';
import { bodyOf, type MessageBody } from './received-message.js';
import {
  activeScripts,
  carryOutSieve,
  type LocalPlan,
  mailboxCopies,
  planRecipients,
  recordDuplicates,
} from './sieve-delivery.js';
import { webhookPayload } from './webhooks/payload.js';

export interface LocalRecipient {
  /** The address as given in RCPT TO. */
  address: string;
  /** The hosted domain that owns the address (ASCII). */
  domain: string;
  /** The alias the address resolved to; null for an SRS return. */
  aliasId: string | null;
  mailboxId: string | null;
  /** External addresses this recipient forwards to. */
  forwards: string[];
  /** Webhook URLs among the alias's recipients: each gets the message as a signed JSON POST (webhooks/). */
  webhooks: string[];
  /** The hosted domain's id (its webhook secret signs the POSTs); null for an SRS return. */
  domainId: string | null;
  /** A bounce routed back through SRS: forwarded with the null sender kept. */
  srsReturn: boolean;
}

/** null when the address is not one we deliver for (unknown alias, disabled, or a forged/expired SRS address). */
export async function resolveLocal(ctx: SmtpContext, address: string): Promise<LocalRecipient | null> {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (/^srs0=/i.test(local)) {
    const original = ctx.srs.reverse(local);
    if (!original || !(await ctx.control.isHostedDomain(domain))) return null;
    return {
      address,
      domain,
      aliasId: null,
      mailboxId: null,
      forwards: [original],
      webhooks: [],
      domainId: null,
      srsReturn: true,
    };
  }
  const resolved = await ctx.control.resolveRecipient(address);
  if (!resolved) return null;
  const { alias } = resolved;
  const mailboxId = alias.hasImap ? alias.mailboxId : null;
  // Forwards awaiting recipient verification get nothing (alias-answers.ts defers when nothing else is left).
  const awaiting = new Set(resolved.awaitingVerification ?? []);
  const forwards = alias.recipients.filter((r) => !isWebhookUrl(r) && !awaiting.has(r));
  const webhooks = alias.recipients.filter(isWebhookUrl);
  if (!mailboxId && forwards.length === 0 && webhooks.length === 0) return null;
  return {
    address,
    domain: resolved.domain.name,
    aliasId: alias.id,
    mailboxId,
    forwards,
    webhooks,
    domainId: resolved.domain.id,
    srsReturn: false,
  };
}

export interface ArcInput {
  /** cv= of the new ARC set: the chain validation result of what arrived (RFC 8617 §4.1.3). */
  cv: string;
  /** The Authentication-Results this hop produced, 'authserv-id; ...'. */
  authResults: string;
}

export interface LocalDelivery {
  /** The message to store: our added headers (Received, Authentication-Results...) and what arrived. */
  body: MessageBody;
  envelopeFrom: string;
  recipients: LocalRecipient[];
  /** Present on inbound mail: forwarded copies get an ARC set. */
  arc?: ArcInput | undefined;
  /** Folder of the mailbox copies when no script decides (default INBOX). */
  folder?: string;
  /** Recipients the spam filter files in Junk: their kept copies go there; a Sieve fileinto still wins. */
  junk?: ReadonlySet<LocalRecipient>;
  /** The authenticated submitter, for Sieve's envelope "auth" (RFC 5228 §5.4). */
  auth?: string | null;
  /** SPF or DMARC of the message failed: no vacation reply goes to its (possibly forged) sender. */
  senderForged?: boolean;
  /** Our queue id of the message, named in Sieve reject notices. */
  messageId?: string;
}

export interface DeliveryOutcome {
  mailboxes: number;
  queued: string[];
}

/** Seals one mailbox copy: a small message through the group commit, a large one as a stream. */
export function storeInMailbox(ctx: SmtpContext, mailboxId: string, body: MessageBody, meta: DeliverMeta = {}) {
  if (body.inMemory && body.size <= ctx.limits.spillThresholdBytes) {
    return ctx.mailstore.deliver(mailboxId, body.inMemory, meta);
  }
  return ctx.mailstore.deliverStream(mailboxId, body, meta);
}

/**
 * The message whole in memory, for copies the outbound queue keeps (it stores whole messages). Its size is held in
 * the byte budget until the returned reservation is released; throws TryAgainLaterError (452 4.3.1) when the
 * budget is full, before anything is stored. A message already in memory is returned as it is.
 */
export async function wholeMessage(
  ctx: SmtpContext,
  body: MessageBody,
): Promise<{ body: MessageBody; held: Reservation | undefined }> {
  if (body.inMemory) return { body, held: undefined };
  const held = ctx.budget.reserve(body.size);
  try {
    return { body: bodyOf(await body.toBuffer()), held };
  } catch (err) {
    held.release();
    throw err;
  }
}

/**
 * Decides where the message goes for every recipient (their Sieve scripts run here) without storing anything,
 * so the caller can still refuse it: plan.refusal is the 550 when every recipient rejected it (RFC 5429 §2.1.1).
 * The message is read whole only for the outbound queue or a script. Dispose the plan when done (it may hold the
 * message in the byte budget).
 */
export async function planLocal(ctx: SmtpContext, d: LocalDelivery): Promise<LocalPlan> {
  const scripts = await activeScripts(ctx, d.recipients);
  const needsWhole =
    groupForwards(d.recipients).size > 0 || scripts.size > 0 || d.recipients.some((r) => r.webhooks.length > 0);
  const whole = needsWhole ? await wholeMessage(ctx, d.body) : { body: d.body, held: undefined };
  try {
    return await planRecipients(ctx, d, whole, scripts);
  } catch (err) {
    whole.held?.release();
    throw err;
  }
}

/** Plans and delivers; a recipient whose script rejects gets a notice to the sender (RFC 5429 §2.1.2). */
export async function deliverLocally(ctx: SmtpContext, d: LocalDelivery): Promise<DeliveryOutcome> {
  using plan = await planLocal(ctx, d);
  return deliverPlanned(ctx, d, plan);
}

/** Carries out a plan: resolves only when every copy, forward, redirect and notice is durable. */
export async function deliverPlanned(ctx: SmtpContext, d: LocalDelivery, plan: LocalPlan): Promise<DeliveryOutcome> {
  const accepted = plan.recipients.filter((p) => p.verdict?.reject == null).map((p) => p.recipient);
  const forwards = groupForwards(accepted);
  const stored = plan.body.inMemory ?? Buffer.alloc(0);
  const copies = mailboxCopies(plan, d.folder, d.junk);
  const [queued] = await Promise.all([
    Promise.all([...forwards].map(([key, targets]) => enqueueForward(ctx, d, stored, key, targets))),
    enqueueWebhooks(ctx, d, stored, accepted),
    Promise.all(copies.map(([id, meta]) => storeInMailbox(ctx, id, plan.body, meta))),
    carryOutSieve(ctx, d, plan, {
      sendLocal: (to, from, raw) => sendToLocal(ctx, to, from, raw),
      enqueueRedirects: (recipient, copy, targets) => enqueueRedirects(ctx, d, recipient, copy, targets),
    }),
  ]);
  await recordDuplicates(ctx, plan);
  // Not awaited: the mail log must not hold up the reply (logMailEvents never throws).
  void logMailEvents(
    ctx,
    accepted.flatMap((r) =>
      r.domainId
        ? [
            {
              domainId: r.domainId,
              direction: 'inbound' as const,
              event: 'delivered' as const,
              sender: d.envelopeFrom,
              recipient: r.address,
              messageId: d.messageId ?? null,
            },
          ]
        : [],
    ),
  );
  return { mailboxes: new Set(copies.map(([id]) => id)).size, queued };
}

/**
 * One webhook POST per URL recipient, queued durably (sealed like outbound mail) before the caller's reply; the
 * worker in the outbound process posts it. The JSON is built once per recipient (its envelope names it).
 */
async function enqueueWebhooks(ctx: SmtpContext, d: LocalDelivery, raw: Buffer, recipients: LocalRecipient[]) {
  const jobs: Array<Promise<unknown>> = [];
  for (const r of recipients) {
    if (r.webhooks.length === 0 || !r.domainId) continue;
    const envelope = { mailFrom: d.envelopeFrom, recipient: r.address, ...(d.messageId ? { id: d.messageId } : {}) };
    const body = webhookPayload(raw, envelope, ctx.config.webhooks.maxInlineBytes);
    for (const url of r.webhooks) jobs.push(ctx.control.enqueueWebhook({ domainId: r.domainId, url, body }));
  }
  await Promise.all(jobs);
}

/** A message for one address: through the local path when it is hosted here; 'remote' when it is not. */
async function sendToLocal(
  ctx: SmtpContext,
  to: string,
  envelopeFrom: string,
  raw: Buffer,
): Promise<'delivered' | 'unknown' | 'remote'> {
  const domain = splitAddress(to)?.domain;
  if (!domain || !(await ctx.control.isHostedDomain(domain))) return 'remote';
  const local = await resolveLocal(ctx, to);
  if (!local) return 'unknown';
  await deliverLocally(ctx, { body: bodyOf(raw), envelopeFrom, recipients: [local] });
  return 'delivered';
}

/** Redirects to addresses elsewhere: one queue item, SRS-rewritten by the recipient's domain like a forward. */
async function enqueueRedirects(
  ctx: SmtpContext,
  d: LocalDelivery,
  recipient: LocalRecipient,
  copy: Buffer,
  targets: string[],
): Promise<string[]> {
  if (targets.length === 0) return [];
  return [await enqueueForward(ctx, d, copy, `forward:${recipient.domain}`, targets)];
}

/** Forward targets per forwarding domain ('' + domain for SRS returns, which keep the null sender). */
function groupForwards(recipients: LocalRecipient[]): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const r of recipients) {
    const key = `${r.srsReturn ? 'return' : 'forward'}:${r.domain}`;
    const set = groups.get(key) ?? new Set<string>();
    for (const target of r.forwards) set.add(target.toLowerCase());
    groups.set(key, set);
  }
  return new Map([...groups].filter(([, set]) => set.size > 0).map(([key, set]) => [key, [...set]]));
}

async function enqueueForward(
  ctx: SmtpContext,
  d: LocalDelivery,
  stored: Buffer,
  key: string,
  targets: string[],
): Promise<string> {
  const [kind, domain = ''] = key.split(':');
  const envelopeFrom = kind === 'return' ? '' : ctx.srs.forward(d.envelopeFrom, domain);
  const seal = d.arc ? await arcSeal(ctx, stored, domain, d.arc) : Buffer.alloc(0);
  const item = await enqueueOutbound(ctx, { envelopeFrom, recipients: targets, body: Buffer.concat([seal, stored]) });
  return item.id;
}

/** An ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results) by `domain`'s DKIM key. */
async function arcSeal(ctx: SmtpContext, message: Buffer, domain: string, arc: ArcInput): Promise<Buffer> {
  if (arc.cv !== 'none' && arc.cv !== 'pass') return Buffer.alloc(0);
  const key = await ctx.control.getDkimKey(domain);
  if (!key) return Buffer.alloc(0);
  const { sealMessage } = await mailauth();
  return sealMessage(message, {
    signingDomain: domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    algorithm: 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
    // cv and authResults are read by mailauth's createSeal but missing from its ARCSealOptions type.
    ...({ cv: arc.cv, authResults: arc.authResults } as object),
  });
}
