/**
 * The spam verdict of the MX: every check looks at one received message and answers with scored symbols (and,
 * rarely, an action it insists on); the combiner adds the scores up and the recipient domain's thresholds turn
 * the total into an action: accept (INBOX), junk (the Junk folder), reject (550 before the 250) or defer (451,
 * greylisting). The verdict is decided before anything is stored, while the MX still holds the message.
 *
 * How to add a check (rspamd, clamd, anything else):
 * 1. Write an object of type SpamCheck: a `name` (for logs) and `check(input)` that resolves to a SpamCheckResult.
 *    Give each finding a symbol (UPPER_SNAKE name, a score: positive is spammy, negative is hammy, and a short
 *    description). Set `action` only when the check knows better than the score (a virus is 'reject' whatever
 *    the total; a scanner's soft reject is 'defer').
 * 2. Read the message through `input.read()` (a stream of the bytes as received: a large message was spilled to
 *    disk and is never whole in memory) or through `input.scanned` (its first config spam.maxScanBytes, or null
 *    when the message is larger than that and built-in content checks skipped it).
 * 3. Honour `input.signal` (aborted at config spam.timeoutMs): the combiner stops waiting then anyway.
 * 4. Add it to the list that filter.ts builds (`spamChecks`). A check that throws or times out fails open: it
 *    adds a zero-score symbol `<NAME>_FAILED` saying so, and the other checks still count.
 * A full engine (rspamd, spam/rspamd.ts) answers with `engineScore`: when it answers, its score and action stand
 * instead of the sum and the thresholds (a domain's allow and block lists still override it, and another check's
 * insisted action still counts); when it fails, the other checks decide as if it were not there.
 */
import type { HeaderField } from '@mailyard/mail';

export type SpamAction = 'accept' | 'junk' | 'defer' | 'reject';

export interface SpamSymbol {
  /** UPPER_SNAKE name, listed in the X-Spam-Status header's tests=. */
  name: string;
  score: number;
  description: string;
}

export interface SpamCheckResult {
  symbols: SpamSymbol[];
  /** An action this check insists on whatever the score (the strongest of all checks' actions and the score's wins). */
  action?: SpamAction;
  /** Why, for the SMTP reply of a reject or defer the check insisted on. */
  reason?: string;
  /**
   * Set only by a full engine (rspamd): its own total. Its `action` (accept when unset) then replaces the verdict
   * of the thresholds, and this score the sum of the symbols.
   */
  engineScore?: number;
}

/** What every check sees of one message. */
export interface SpamInput {
  client: {
    ip: string;
    /** The HELO/EHLO name as given. */
    helo: string;
  };
  envelope: {
    /** MAIL FROM, '' for the null sender. */
    from: string;
    /** RCPT TO addresses we accept mail for. */
    to: string[];
  };
  /** Sender authentication as the MX checked it (inbound-auth.ts). */
  auth: {
    spf: string;
    dkim: string;
    dmarc: string;
    arc: string;
    /** The policy the sender domain's DMARC record asks for when DMARC fails ('none' when there is none). */
    dmarcPolicy: string;
  };
  /** The header fields as received (our own trace fields are not among them). */
  headers: HeaderField[];
  /** The header block as received, with its blank line. */
  header: Buffer;
  /** Size in bytes of the whole message as received. */
  size: number;
  /** The whole message as received, when size ≤ spam.maxScanBytes; null when it is larger (content checks skip). */
  scanned: Buffer | null;
  /** The whole message as received, read as a stream (any size). */
  read(): AsyncIterable<Buffer>;
  /** Aborted when the checks' time is up (spam.timeoutMs). */
  signal: AbortSignal;
}

export interface SpamCheck {
  /** Lower-case name for logs and the failure symbol. */
  name: string;
  check(input: SpamInput): Promise<SpamCheckResult>;
}

/** Every check's symbols and the strongest action any check insisted on. */
export interface SpamReport {
  score: number;
  symbols: SpamSymbol[];
  /** The strongest action a check insisted on; 'accept' when none did. */
  forced: SpamAction;
  reason: string | undefined;
  /** The full engine's verdict, when one answered: it replaces the thresholds' verdict. */
  engine?: { action: SpamAction; score: number; reason: string | undefined };
}

export interface SpamThresholds {
  /** A score at or above this files the message in Junk. */
  junk: number;
  /** A score at or above this refuses it with a 550. */
  reject: number;
}

export interface SpamDecision {
  action: SpamAction;
  score: number;
  symbols: SpamSymbol[];
  /** For a reject or defer: the text of the SMTP reply. */
  reason: string | undefined;
}

const STRENGTH: Record<SpamAction, number> = { accept: 0, junk: 1, defer: 2, reject: 3 };

export function strongest(a: SpamAction, b: SpamAction): SpamAction {
  return STRENGTH[b] > STRENGTH[a] ? b : a;
}

/** Rounds to one decimal, the precision scores are shown and compared with. */
function tenths(n: number): number {
  return Math.round(n * 10) / 10;
}

async function runOne(check: SpamCheck, input: SpamInput, deadline: Promise<'timeout'>): Promise<SpamCheckResult> {
  const failed = (why: string): SpamCheckResult => ({
    symbols: [{ name: `${check.name.toUpperCase().replace(/\W/g, '_')}_FAILED`, score: 0, description: why }],
  });
  try {
    const result = await Promise.race([check.check(input), deadline]);
    return result === 'timeout' ? failed('no answer in time') : result;
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Runs every check at once and adds their symbols up. A check that throws or does not answer within `timeoutMs`
 * fails open (a zero-score `<NAME>_FAILED` symbol); `input.signal` is aborted at the deadline.
 */
export async function runChecks(
  checks: readonly SpamCheck[],
  input: Omit<SpamInput, 'signal'>,
  timeoutMs: number,
): Promise<SpamReport> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const full: SpamInput = { ...input, signal: controller.signal };
    const results = await Promise.all(checks.map((c) => runOne(c, full, deadline)));
    return combine(results);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The sum of every result's symbols and the strongest forced action (the first check's reason for it); when a full
 * engine answered, its score is the score and its action goes to `engine` instead of `forced`.
 */
export function combine(results: readonly SpamCheckResult[]): SpamReport {
  const symbols = results.flatMap((r) => r.symbols);
  const engineResult = results.find((r) => r.engineScore !== undefined);
  let forced: SpamAction = 'accept';
  let reason: string | undefined;
  for (const r of results) {
    if (r === engineResult || !r.action || STRENGTH[r.action] <= STRENGTH[forced]) continue;
    forced = r.action;
    reason = r.reason;
  }
  const sum = tenths(symbols.reduce((total, s) => total + s.score, 0));
  if (engineResult?.engineScore === undefined) return { score: sum, symbols, forced, reason };
  const engine = {
    action: engineResult.action ?? 'accept',
    score: tenths(engineResult.engineScore),
    reason: engineResult.reason,
  };
  return { score: engine.score, symbols, forced, reason, engine };
}

/** The engine's action, unless the domain's lists (the extra symbols) allow (negative) or block (≥ reject) it. */
function engineAction(engine: NonNullable<SpamReport['engine']>, listed: number, rejectAt: number): SpamAction {
  if (listed < 0) return 'accept';
  if (listed >= rejectAt) return 'reject';
  return engine.action;
}

/** The action for one recipient: the report plus that recipient's extra symbols, under its thresholds. */
export function decide(report: SpamReport, extra: readonly SpamSymbol[], thresholds: SpamThresholds): SpamDecision {
  const symbols = [...report.symbols, ...extra];
  const listed = extra.reduce((sum, s) => sum + s.score, 0);
  const { engine } = report;
  const score = engine ? tenths(engine.score + listed) : tenths(symbols.reduce((sum, s) => sum + s.score, 0));
  const byScore: SpamAction = engine
    ? engineAction(engine, listed, thresholds.reject)
    : score >= thresholds.reject
      ? 'reject'
      : score >= thresholds.junk
        ? 'junk'
        : 'accept';
  const action = strongest(byScore, report.forced);
  const reason =
    action === report.forced && report.reason
      ? report.reason
      : engine && action === engine.action && engine.reason
        ? engine.reason
        : action === 'reject'
          ? `Message refused as spam (score ${score})`
          : undefined;
  return { action, score, symbols, reason };
}
