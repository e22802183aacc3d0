/**
 * Sieve inside the one local delivery path (routing.ts), used by the MX, by submission to local recipients, by
 * redirects and by notices to local senders alike: plan first (run each recipient's script once per mailbox,
 * sieve-filter.ts), so the caller can still refuse the message, then carry the verdicts out.
 *
 * - Mailbox copies: each kept or filed copy becomes its own sealed spool entry carrying the target folder,
 *   whether to create it, and the flags (RFC 5232); the drain files it when the mailbox is next unlocked.
 * - reject/ereject (RFC 5429 §2.1.1): when every recipient of the delivery rejects, plan.refusal is a 550 5.7.1
 *   with the script's reason, which the MX and submission send as the DATA reply (nothing is stored). When only
 *   some reject, SMTP has no per-recipient DATA reply, so the others get the message and the sender a DSN for
 *   each rejecting one (RFC 5429 §2.1.2; sieve-actions.ts). We chose this over deferring the other recipients
 *   at RCPT TO (452) to force one transaction per recipient: that would delay every multi-recipient message to
 *   users with a script by the sender's retry interval, for the rare reject.
 * - A recipient that rejects gets nothing else: no copies, no alias forwarding, no redirect, no vacation.
 */
import { reportError } from '@mailyard/errors';
import type { Reservation } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { DeliverMeta } from '@mailyard/mailstore';
import { RawMessage } from '@mailyard/sieve';
import type { SmtpContext } from './deps.js';
import type { MessageBody } from './received-message.js';
import type { LocalDelivery, LocalRecipient } from './routing.js';
import {
  answerVacation,
  type LocalSender,
  redirectedCopy,
  rejectReplyText,
  sendRejectNotice,
  type VacationInput,
} from './sieve-actions.js';
import { duplicateKey, filterMessage, type SieveVerdict } from './sieve-filter.js';
import type { StoredScript } from './sieve-scripts.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';
import { JUNK_FOLDER } from './spam/filter.js';

export interface PlannedRecipient {
  recipient: LocalRecipient;
  /** Null: no script ran (none active, no mailbox, or a second address of a mailbox already planned). */
  verdict: SieveVerdict | null;
}

export interface LocalPlan extends Disposable {
  /** The message, whole in memory when a script ran or a copy goes to the outbound queue. */
  body: MessageBody;
  recipients: PlannedRecipient[];
  /** The parsed message the scripts saw, when one ran. */
  message: RawMessage | null;
  /** 550 5.7.1 when every recipient rejected the message; null otherwise. */
  refusal: SmtpHandlerError | null;
}

/** What carrying out a plan needs from routing.ts (passed in, so the two modules do not import each other). */
export interface SieveRouting {
  sendLocal: LocalSender;
  /** Queues a redirected copy to addresses elsewhere, SRS-rewritten by the recipient's domain. */
  enqueueRedirects(recipient: LocalRecipient, copy: Buffer, targets: string[]): Promise<string[]>;
}

const SIEVE_LOGS = new WeakMap<Logger, Logger>();

/** The process logger's 'sieve' child, made once rather than twice per delivery. */
function sieveLog(logger: Logger): Logger {
  let child = SIEVE_LOGS.get(logger);
  if (!child) {
    child = logger.child({ component: 'sieve' });
    SIEVE_LOGS.set(logger, child);
  }
  return child;
}

/** The active script of each mailbox's first recipient (one indexed read each), by mailbox id. */
export async function activeScripts(ctx: SmtpContext, recipients: LocalRecipient[]): Promise<ActiveScripts> {
  const found: ActiveScripts = new Map();
  const source = ctx.sieve.scripts;
  await Promise.all(
    [...firstPerMailbox(recipients).values()].map(async (recipient) => {
      const { aliasId, mailboxId, address } = recipient;
      if (!aliasId || !mailboxId) return;
      const stored = await source.activeScript({ aliasId, mailboxId, address });
      if (stored) found.set(mailboxId, { recipient, stored });
    }),
  );
  return found;
}

export type ActiveScripts = Map<string, { recipient: LocalRecipient; stored: StoredScript }>;

export async function planRecipients(
  ctx: SmtpContext,
  d: LocalDelivery,
  whole: { body: MessageBody; held: Reservation | undefined },
  scripts: ActiveScripts,
): Promise<LocalPlan> {
  const { body, held } = whole;
  const message = scripts.size > 0 && body.inMemory ? new RawMessage(body.inMemory) : null;
  const log = sieveLog(ctx.logger);
  const recipients = await Promise.all(
    d.recipients.map(async (recipient): Promise<PlannedRecipient> => {
      const { aliasId, mailboxId, address } = recipient;
      const script = mailboxId ? scripts.get(mailboxId) : undefined;
      if (!message || !aliasId || !mailboxId || script?.recipient !== recipient) return { recipient, verdict: null };
      const owner = { aliasId, mailboxId, address };
      const input = { owner, stored: script.stored, message, envelopeFrom: d.envelopeFrom, auth: d.auth ?? null, log };
      return { recipient, verdict: await filterMessage(ctx, input) };
    }),
  );
  const rejecting = recipients.map((p) => p.verdict?.reject ?? null);
  const everyone = recipients.length > 0 && rejecting.every((reason) => reason !== null);
  return {
    body,
    recipients,
    message,
    refusal: everyone ? reply(550, '5.7.1', rejectReplyText(rejecting[0] ?? '')) : null,
    [Symbol.dispose]: () => held?.release(),
  };
}

/** The first recipient of each mailbox: its script decides for the mailbox (one copy per mailbox, as before). */
function firstPerMailbox(recipients: LocalRecipient[]): Map<string, LocalRecipient> {
  const first = new Map<string, LocalRecipient>();
  for (const r of recipients) if (r.mailboxId && !first.has(r.mailboxId)) first.set(r.mailboxId, r);
  return first;
}

/**
 * Every spool entry to write: [mailbox id, target folder and flags]. A recipient in `junk` (the spam verdict) has
 * its kept copies (no script, or a script's keep) filed in Junk; a script's fileinto keeps its own folder.
 */
export function mailboxCopies(
  plan: LocalPlan,
  folder: string | undefined,
  junk?: ReadonlySet<LocalRecipient>,
): Array<[string, DeliverMeta]> {
  const copies: Array<[string, DeliverMeta]> = [];
  const done = new Set<string>();
  for (const { recipient, verdict } of plan.recipients) {
    const id = recipient.mailboxId;
    if (!id || done.has(id)) continue;
    done.add(id);
    const kept = junk?.has(recipient) ? { folder: JUNK_FOLDER, createFolder: true } : folder ? { folder } : {};
    if (!verdict) copies.push([id, kept]);
    else if (verdict.reject === null) {
      for (const copy of verdict.copies) copies.push([id, copy.folder === undefined ? { ...copy, ...kept } : copy]);
    }
  }
  return copies;
}

/**
 * Redirects, vacation replies and reject notices of every verdict; resolves when each is durable. Called only
 * when the message is accepted, so every rejecting recipient's sender gets a notice.
 */
export async function carryOutSieve(
  ctx: SmtpContext,
  d: LocalDelivery,
  plan: LocalPlan,
  routing: SieveRouting,
): Promise<void> {
  const log = sieveLog(ctx.logger);
  const stored = plan.body.inMemory ?? Buffer.alloc(0);
  const tasks: Array<Promise<unknown>> = [];
  for (const { recipient, verdict } of plan.recipients) {
    if (!verdict || !recipient.mailboxId) continue;
    const acting = { address: recipient.address, domain: recipient.domain, mailboxId: recipient.mailboxId };
    if (log.isLevelEnabled('info')) logDecision(log, verdict);
    if (verdict.reject !== null) {
      // Carrying a plan out means its refusal was not sent (submission with remote recipients too): notify.
      const notice = { envelopeFrom: d.envelopeFrom, recipient: recipient.address, reason: verdict.reject };
      tasks.push(
        sendRejectNotice(ctx, {
          ...notice,
          messageId: d.messageId ?? '',
          original: stored,
          sendLocal: routing.sendLocal,
        }),
      );
      continue;
    }
    if (verdict.redirects.length > 0) tasks.push(redirect(log, recipient, verdict.redirects, stored, d, routing));
    const { vacation } = verdict;
    if (vacation && plan.message) {
      const input = {
        recipient: acting,
        action: vacation,
        message: plan.message,
        envelopeFrom: d.envelopeFrom,
        senderForged: d.senderForged ?? false,
        sendLocal: routing.sendLocal,
      };
      tasks.push(vacationTask(ctx, log, input));
    }
  }
  await Promise.all(tasks);
}

function logDecision(log: Logger, verdict: SieveVerdict): void {
  log.info(
    {
      script: verdict.script,
      copies: verdict.copies.map((c) => c.folder ?? 'INBOX'),
      redirects: verdict.redirects.length,
      reject: verdict.reject !== null,
      vacation: verdict.vacation !== null,
    },
    'sieve decided',
  );
}

/** The message itself is delivered: a reply that cannot go out (no DKIM key, queue error) is only reported. */
function vacationTask(ctx: SmtpContext, log: Logger, input: VacationInput): Promise<unknown> {
  return answerVacation(ctx, input).then(
    (why) => log.info({ to: input.envelopeFrom, why: why || undefined }, why ? 'vacation not sent' : 'vacation sent'),
    (err: unknown) => reportError(log, err, { action: 'vacation reply' }),
  );
}

/** Local targets through the local path (their scripts run), the rest through the outbound queue. */
async function redirect(
  log: Logger,
  recipient: LocalRecipient,
  targets: string[],
  stored: Buffer,
  d: LocalDelivery,
  routing: SieveRouting,
): Promise<void> {
  const copy = redirectedCopy(stored, recipient.address);
  const routed = await Promise.all(targets.map((to) => routing.sendLocal(to, d.envelopeFrom, copy)));
  const unknown = targets.filter((_, i) => routed[i] === 'unknown');
  if (unknown.length > 0) log.warn({ unknown }, 'sieve redirect to addresses of ours that do not exist; not sent');
  const remote = targets.filter((_, i) => routed[i] === 'remote');
  await routing.enqueueRedirects(recipient, copy, remote);
}

/** RFC 7352 §3: the ids a delivered message was checked under are remembered for their period. */
export async function recordDuplicates(ctx: SmtpContext, plan: LocalPlan): Promise<void> {
  const tracker = ctx.sieve.tracker;
  const now = Date.now();
  const claims = plan.recipients.flatMap(({ recipient, verdict }) =>
    (verdict?.duplicates ?? []).map((dup) =>
      tracker.claim(recipient.mailboxId ?? '', duplicateKey(dup.key), new Date(now + dup.seconds * 1000)),
    ),
  );
  await Promise.all(claims);
}
