/**
 * One inbound message whose recipients get different header fields: the spam filter's X-Spam-* fields follow each
 * recipient domain's settings (spam/filter.ts), so recipients of two domains with different thresholds in one
 * SMTP transaction can see "No, required=8.0" and "Yes, required=3.0" for the same score. The recipients are
 * split into groups with the same fields, in their order, and each group is planned and delivered as a local
 * delivery of its own (routing.ts), with its own copy of the header block (the body after it is shared).
 *
 * SMTP still has one DATA reply: the Sieve refusal (550 5.7.1, RFC 5429 §2.1.1) is sent only when every group's
 * plan refuses, exactly as when all recipients are planned together; otherwise every group is carried out, and a
 * group whose recipients all rejected gets the reject notices to the sender (RFC 5429 §2.1.2). One group, the
 * common case (one domain, or domains with the same settings), is one plan and one delivery, as before.
 */

import type { SmtpContext } from './deps.js';
import type { MessageBody } from './received-message.js';
import type { DeliveryOutcome, LocalDelivery, LocalRecipient } from './routing.js';
import { deliverPlanned, planLocal } from './routing.js';
import type { LocalPlan } from './sieve-delivery.js';
import type { SmtpHandlerError } from './smtp-reply.js';

interface GroupedOutcome {
  /** The 550 when every recipient's script rejected the message; nothing was stored then. */
  refusal: SmtpHandlerError | null;
  outcome: DeliveryOutcome;
}

/** The recipients in runs of the same fields (first appearance order); a recipient not in `fields` gets "". */
function groupByFields(
  recipients: readonly LocalRecipient[],
  fields: ReadonlyMap<LocalRecipient, string>,
): Array<{ fields: string; recipients: LocalRecipient[] }> {
  const groups = new Map<string, LocalRecipient[]>();
  for (const r of recipients) {
    const key = fields.get(r) ?? '';
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, members]) => ({ fields: key, recipients: members }));
}

/**
 * Plans every group, refuses when all refuse, else delivers every group; resolves when every copy is durable.
 * `bodyWith(fields)` is the message with those fields added to its header block; `delivery.body` is the message
 * without any, used as it is for a group with none.
 */
export async function deliverGrouped(
  ctx: SmtpContext,
  delivery: LocalDelivery,
  fields: ReadonlyMap<LocalRecipient, string>,
  bodyWith: (fields: string) => MessageBody,
): Promise<GroupedOutcome> {
  const deliveries = groupByFields(delivery.recipients, fields).map(
    (g): LocalDelivery => ({
      ...delivery,
      body: g.fields === '' ? delivery.body : bodyWith(g.fields),
      recipients: g.recipients,
    }),
  );
  const settled = await Promise.allSettled(deliveries.map((d) => planLocal(ctx, d)));
  const plans = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const refusals = plans.map((p) => p.refusal);
    if (plans.length > 0 && refusals.every((r) => r !== null)) {
      return { refusal: refusals[0] ?? null, outcome: { mailboxes: 0, queued: [] } };
    }
    const outcomes = await Promise.all(deliveries.map((d, i) => deliverPlanned(ctx, d, plans[i] as LocalPlan)));
    return {
      refusal: null,
      outcome: {
        mailboxes: outcomes.reduce((sum, o) => sum + o.mailboxes, 0),
        queued: outcomes.flatMap((o) => o.queued),
      },
    };
  } finally {
    for (const plan of plans) plan[Symbol.dispose]();
  }
}
