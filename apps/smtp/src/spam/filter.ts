/**
 * The spam step of the MX (inbound.ts), after sender authentication and before anything is stored:
 * 1. every check runs once on the message (verdict.ts; the built-in ones below when config spam.enabled, plus any
 *    the deps add: SmtpDeps.spamChecks);
 * 2. each recipient domain's settings (control store) add its allow/block symbols and set its thresholds, giving
 *    one decision per recipient: accept (INBOX), junk, reject, or defer when greylisting holds it back;
 * 3. the DATA reply follows: 550 5.7.1 when every recipient rejects, 451 4.7.1 when greylisting defers any of them
 *    (SMTP has one reply for all), otherwise the message is stored: a recipient whose decision is reject while
 *    others take the message gets it in Junk (nothing is dropped unseen).
 * The headers (headers.ts) show each recipient the decision under its own domain's settings: recipients whose
 * fields differ get copies with their own (grouped-delivery.ts). Sieve sees them, and its explicit fileinto wins:
 * only a keep (implicit or explicit) of a junk message is filed in Junk.
 */
import type { DomainSpamSettings } from '@mailyard/control';
import type { Reservation } from '@mailyard/limits';
import { metrics } from '@mailyard/monitor';
import type { SmtpContext } from '../deps.js';
import type { AuthenticationVerdict } from '../inbound-auth.js';
import { headerFields } from '../message.js';
import type { ReceivedMessage } from '../received-message.js';
import type { LocalRecipient } from '../routing.js';
import { reply, type SmtpHandlerError } from '../smtp-reply.js';
import { authCheck } from './auth-check.js';
import { contentCheck } from './content-check.js';
import { blocklistCheck, clientCheck, type Resolve, zones } from './dns-checks.js';
import { spamHeaders } from './headers.js';
import { senderListSymbols } from './sender-lists.js';
import {
  decide,
  runChecks,
  type SpamCheck,
  type SpamDecision,
  type SpamInput,
  type SpamReport,
  type SpamThresholds,
} from './verdict.js';

/** The folder a junk verdict files into (a default folder of every mailbox, RFC 6154 \Junk). */
export const JUNK_FOLDER = 'Junk';

/** The checks of config spam.*: sender authentication, content, client (HELO, rDNS) and DNS blocklists. */
export function builtInChecks(ctx: Pick<SmtpContext, 'config' | 'dns'>): SpamCheck[] {
  const { spam, hostname } = ctx.config;
  if (!spam.enabled) return [];
  const resolve: Resolve = async (name, rrtype) => (await ctx.dns.mailauth(name, rrtype)) as unknown[];
  const checks = [authCheck, contentCheck, clientCheck(resolve, hostname)];
  const ipZones = zones(spam.ipBlocklists);
  const domainZones = zones(spam.domainBlocklists);
  if (ipZones.length + domainZones.length > 0) checks.push(blocklistCheck(resolve, ipZones, domainZones));
  return checks;
}

export interface SpamClient {
  ip: string;
  helo: string;
  sender: string;
}

export interface SpamOutcome {
  /** X-Spam-* fields to prepend to each recipient's copy, CRLF-terminated: its own domain's decision. */
  headers: Map<LocalRecipient, string>;
  /** Recipients whose mailbox copies go to Junk (unless their Sieve script files them elsewhere). */
  junk: Set<LocalRecipient>;
  /** The reply instead of a 250 (550 reject, 451 greylisting); nothing is stored then. */
  refusal: SmtpHandlerError | null;
  /** For the log line. */
  summary: { action: string; score: number; tests: string[] };
}

/** The message as received when it is within spam.maxScanBytes (held in the byte budget when read from disk). */
async function scannedBytes(
  ctx: SmtpContext,
  message: ReceivedMessage,
): Promise<{ bytes: Buffer | null; held: Reservation | undefined }> {
  if (message.size > ctx.config.spam.maxScanBytes) return { bytes: null, held: undefined };
  const body = message.asReceived();
  if (body.inMemory) return { bytes: body.inMemory, held: undefined };
  const held = ctx.budget.reserve(body.size);
  try {
    return { bytes: await body.toBuffer(), held };
  } catch (err) {
    held.release();
    throw err;
  }
}

function thresholdsOf(ctx: SmtpContext, settings: DomainSpamSettings): SpamThresholds {
  const junk = settings.junkScore ?? ctx.config.spam.junkScore;
  const reject = settings.rejectScore ?? ctx.config.spam.rejectScore;
  return { junk, reject: Math.max(reject, junk) };
}

/** The client's network for greylisting: an IPv4 /24 or IPv6 /64, since big senders retry from a neighbour. */
export function clientNetwork(ip: string): string {
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (plain.includes('.')) return plain.split('.').slice(0, 3).join('.');
  return plain.split(':').slice(0, 4).join(':');
}

interface RecipientDecision {
  recipient: LocalRecipient;
  decision: SpamDecision;
  thresholds: SpamThresholds;
  greylisting: boolean;
  allowed: boolean;
}

async function settingsByDomain(ctx: SmtpContext, recipients: LocalRecipient[]) {
  const names = [...new Set(recipients.map((r) => r.domain))];
  const found = await Promise.all(
    names.map(async (name) => {
      const domain = await ctx.control.findDomainByName(name);
      const settings: DomainSpamSettings = domain
        ? await ctx.control.getSpamSettings(domain.id)
        : { junkScore: null, rejectScore: null, greylisting: false, allow: [], block: [] };
      return [name, settings] as const;
    }),
  );
  return new Map(found);
}

async function greylisted(ctx: SmtpContext, client: SpamClient, decisions: RecipientDecision[]): Promise<Date | null> {
  const { greylistDelayMs, greylistExpiryMs } = ctx.config.spam;
  const held = decisions.filter((d) => d.greylisting && !d.allowed && d.decision.action !== 'reject');
  const answers = await Promise.all(
    held.map((d) =>
      ctx.control.greylist(
        `${clientNetwork(client.ip)}|${client.sender.toLowerCase()}|${d.recipient.address.toLowerCase()}`,
        greylistDelayMs,
        greylistExpiryMs,
      ),
    ),
  );
  const waiting = answers.filter((a) => !a.pass).map((a) => a.retryAfter.getTime());
  return waiting.length > 0 ? new Date(Math.max(...waiting)) : null;
}

function refusalOf(decisions: RecipientDecision[], deferUntil: Date | null): SmtpHandlerError | null {
  const rejected = decisions.filter((d) => d.decision.action === 'reject');
  if (decisions.length > 0 && rejected.length === decisions.length) {
    return reply(550, '5.7.1', rejected[0]?.decision.reason ?? 'Message refused as spam');
  }
  const forcedDefer = decisions.find((d) => d.decision.action === 'defer');
  if (forcedDefer) return reply(451, '4.7.1', forcedDefer.decision.reason ?? 'Try again later');
  if (!deferUntil) return null;
  const seconds = Math.max(1, Math.ceil((deferUntil.getTime() - Date.now()) / 1000));
  return reply(451, '4.7.1', `Greylisted: please try again in ${seconds} seconds`);
}

/**
 * Runs the checks and decides for every recipient. Null when there is nothing to check (no checks configured).
 * Never throws for a failing check (they fail open); throws only what the control store or budget throws.
 */
export async function judgeInbound(
  ctx: SmtpContext,
  checks: readonly SpamCheck[],
  message: ReceivedMessage,
  client: SpamClient,
  auth: AuthenticationVerdict,
  recipients: LocalRecipient[],
): Promise<SpamOutcome | null> {
  if (checks.length === 0) return null;
  const scanned = await scannedBytes(ctx, message);
  let report: SpamReport;
  const headers = headerFields(message.header);
  try {
    const input: Omit<SpamInput, 'signal'> = {
      client: { ip: client.ip, helo: client.helo },
      envelope: { from: client.sender, to: recipients.map((r) => r.address) },
      auth: { ...auth.summary, dmarcPolicy: auth.dmarcPolicy },
      headers,
      header: message.header,
      size: message.size,
      scanned: scanned.bytes,
      read: () => message.read(),
    };
    report = await runChecks(checks, input, ctx.config.spam.timeoutMs);
  } finally {
    scanned.held?.release();
  }
  const settings = await settingsByDomain(ctx, recipients);
  const dmarcFailed = auth.summary.dmarc === 'fail';
  const decisions = recipients.map((recipient): RecipientDecision => {
    const domain = settings.get(recipient.domain);
    const lists = domain ? senderListSymbols(domain, client.sender, headers, dmarcFailed) : [];
    const thresholds = domain ? thresholdsOf(ctx, domain) : thresholdsOf(ctx, {} as DomainSpamSettings);
    return {
      recipient,
      decision: decide(report, lists, thresholds),
      thresholds,
      greylisting: domain?.greylisting ?? false,
      allowed: lists.some((s) => s.score < 0),
    };
  });
  const first = decisions[0];
  const shown = first?.decision ?? decide(report, [], thresholdsOf(ctx, {} as DomainSpamSettings));
  const refusal = refusalOf(decisions, await greylisted(ctx, client, decisions));
  const action = refusal ? (refusal.responseCode === 550 ? 'reject' : 'defer') : shown.action;
  metrics.spamVerdicts.inc({ action });
  const notScanned = scanned.bytes ? null : ctx.config.spam.maxScanBytes;
  return {
    headers: new Map(decisions.map((d) => [d.recipient, spamHeaders(d.decision, d.thresholds.junk, notScanned)])),
    junk: new Set(
      decisions.filter((d) => d.decision.action === 'junk' || d.decision.action === 'reject').map((d) => d.recipient),
    ),
    refusal,
    summary: { action, score: shown.score, tests: shown.symbols.map((s) => s.name) },
  };
}
