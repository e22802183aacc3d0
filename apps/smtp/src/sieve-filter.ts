/**
 * Running a recipient's active Sieve script at delivery (RFC 5228 §2.10: scripts run when a message is delivered),
 * while the MX (or submission) still holds the plaintext, before the 250 reply. The outcome becomes a verdict the
 * delivery carries out (sieve-delivery.ts): mailbox copies with their folder and flags (sealed into the spool
 * entry), redirects, a reject reason, a vacation action and the duplicate ids to record.
 *
 * - Scripts run only for recipients with a mailbox: keep and fileinto need one. Alias forwarding (the alias's
 *   recipients list) is routing, done whatever the script says, except when the script rejects the message.
 * - A script that no longer compiles, or that fails at run time (RFC 5228 §2.10.6), means implicit keep: the
 *   message goes to INBOX and the failure is logged as the user's fault (warn), never lost.
 * - mailboxexists (RFC 5490 §3.1) can only know INBOX: the folder list is inside the encrypted mailbox, which the
 *   MX cannot open. fileinto a folder that does not exist files into INBOX unless :create (decided at drain time).
 * - duplicate (RFC 7352): the ids a run asks about are looked up in the tracker and, when any was seen, the
 *   script runs a second time with those answers (an id first asked only in that second run counts as new).
 * - Loop control (RFC 5228 §4.2): a message that already carries this recipient in X-Sieve-Redirected-From, or
 *   more such fields than SMTP_LIMITS.maxSieveRedirectHops, is not redirected again; it is kept instead.
 */
import type { Logger } from '@mailyard/logger';
import { metrics } from '@mailyard/monitor';
import {
  type DuplicateRecord,
  type RawMessage,
  runScript,
  type SieveAction,
  type SieveContext,
  type SieveOutcome,
  type VacationAction,
} from '@mailyard/sieve';
import type { SmtpContext } from './deps.js';
import { SMTP_LIMITS } from './limits.js';
import type { SieveOwner, StoredScript } from './sieve-scripts.js';

/** The header a redirected copy gets, naming the recipient whose script redirected it. */
export const REDIRECTED_FROM = 'X-Sieve-Redirected-From';

/** One copy for the recipient's mailbox: sealed into its spool with this target. */
export interface MailboxCopy {
  /** Absent: INBOX. */
  folder?: string;
  createFolder?: boolean;
  flags?: string[];
}

export interface SieveVerdict {
  /** The script that decided (for logs). */
  script: string;
  copies: MailboxCopy[];
  redirects: string[];
  /** RFC 5429 reject/ereject reason; the other lists are then empty. */
  reject: string | null;
  vacation: VacationAction | null;
  duplicates: DuplicateRecord[];
}

export interface FilterInput {
  owner: SieveOwner;
  /** The owner's active script (SieveScriptSource.activeScript). */
  stored: StoredScript;
  message: RawMessage;
  envelopeFrom: string;
  /** The authenticated submitter (RFC 5228 §5.4 envelope "auth"), on submission only. */
  auth?: string | null;
  log: Logger;
}

const SYSTEM_FLAG = /^\\(?:seen|answered|flagged|deleted|draft)$/i;
/** An IMAP keyword is an atom (RFC 3501 §9): printable ASCII without "(", ")", "{", "%", "*", '"', "\" or "]". */
const KEYWORD = /^[\x21-\x7e]{1,64}$/;
const ATOM_SPECIALS = /[(){%*"\\\]]/;

/** Flags the store can keep: the system flags, and keywords that are IMAP atoms. */
export function storableFlags(flags: string[]): string[] {
  return flags.filter((flag) => SYSTEM_FLAG.test(flag) || (KEYWORD.test(flag) && !ATOM_SPECIALS.test(flag)));
}

/** The verdict of the owner's active script, or null when it does not compile (implicit keep). */
export async function filterMessage(ctx: SmtpContext, input: FilterInput): Promise<SieveVerdict | null> {
  const { stored } = input;
  const compiled = ctx.sieveScripts.compile(stored);
  if ('error' in compiled) {
    metrics.sieveErrors.inc({ reason: 'syntax' });
    input.log.warn({ script: stored.name, err: compiled.error.message }, 'sieve script does not compile; message kept');
    return null;
  }
  const context = await runContext(ctx, input, compiled.script.capabilities.has('include'));
  let outcome = runScript(compiled.script, input.message, context);
  if (outcome.duplicates.length > 0) outcome = await rerunWithDuplicates(ctx, input, compiled.script, context, outcome);
  if (outcome.error) {
    metrics.sieveErrors.inc({ reason: 'runtime' });
    input.log.warn({ script: stored.name, err: outcome.error.message }, 'sieve runtime error; message kept');
  }
  for (const action of outcome.actions) metrics.sieveActions.inc({ action: action.type });
  return verdictOf(stored.name, outcome, loopsBack(input));
}

async function runContext(ctx: SmtpContext, input: FilterInput, includes: boolean): Promise<SieveContext> {
  const personal = includes
    ? new Map((await ctx.sieve.scripts.listScripts(input.owner)).map((s) => [s.name, s.content]))
    : null;
  return {
    envelope: { from: input.envelopeFrom, to: input.owner.address, auth: input.auth ?? null },
    now: new Date(),
    mailboxExists: (name) => name.toUpperCase() === 'INBOX',
    // RFC 6609 :global scripts would be the operator's; there are none, so only :personal ones resolve.
    resolveScript: (name, location) => (location === 'personal' ? (personal?.get(name) ?? null) : null),
  };
}

async function rerunWithDuplicates(
  ctx: SmtpContext,
  input: FilterInput,
  script: Parameters<typeof runScript>[0],
  context: SieveContext,
  first: SieveOutcome,
): Promise<SieveOutcome> {
  const keys = first.duplicates.map((d) => duplicateKey(d.key));
  const seen = await ctx.sieve.tracker.seen(input.owner.mailboxId, keys);
  if (seen.size === 0) return first;
  return runScript(script, input.message, { ...context, duplicates: { seen: (key) => seen.has(duplicateKey(key)) } });
}

/** Tracker keys: one namespace per extension, so a vacation handle never collides with a message id. */
export function duplicateKey(key: string): string {
  return `duplicate:${key}`;
}

/** True when redirecting again would loop: this recipient redirected it before, or it has been redirected too often. */
function loopsBack(input: FilterInput): boolean {
  const hops = input.message.rawHeader(REDIRECTED_FROM.toLowerCase()).map((v) => v.trim().toLowerCase());
  return hops.length >= SMTP_LIMITS.maxSieveRedirectHops || hops.includes(input.owner.address.toLowerCase());
}

function verdictOf(script: string, outcome: SieveOutcome, noRedirects: boolean): SieveVerdict {
  const verdict: SieveVerdict = {
    script,
    copies: [],
    redirects: [],
    reject: null,
    vacation: null,
    duplicates: outcome.duplicates,
  };
  for (const action of outcome.actions) apply(verdict, action);
  if (noRedirects && verdict.redirects.length > 0) {
    verdict.redirects = [];
    if (verdict.copies.length === 0) verdict.copies.push({});
  }
  return verdict;
}

function apply(verdict: SieveVerdict, action: SieveAction): void {
  switch (action.type) {
    case 'keep':
      verdict.copies.push(withFlags({}, action.flags));
      return;
    case 'fileinto': {
      const inbox = action.mailbox.toUpperCase() === 'INBOX';
      const target = inbox ? {} : { folder: action.mailbox, ...(action.create ? { createFolder: true } : {}) };
      verdict.copies.push(withFlags(target, action.flags));
      return;
    }
    case 'redirect':
      verdict.redirects.push(action.address);
      return;
    case 'reject':
      verdict.reject = action.reason;
      return;
    case 'vacation':
      verdict.vacation = action;
      return;
    case 'discard':
      return;
  }
}

function withFlags(copy: MailboxCopy, flags: string[]): MailboxCopy {
  const kept = storableFlags(flags);
  return kept.length > 0 ? { ...copy, flags: kept } : copy;
}
