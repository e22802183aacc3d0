// The outcome of a run: the actions in the order the script took them, with implicit keep decided as RFC 5228
// §2.10.2 says (cancelled by discard, reject/ereject and by fileinto/redirect without :copy, RFC 3894 §3), the
// conflicts of RFC 5429 §2 and RFC 5230 §4.7 (reject/ereject with keep, fileinto, redirect, vacation or another
// reject is a runtime error), duplicates folded (RFC 5228 §4.2: one copy per folder, one redirect per address),
// and the action and redirect limits.

import { type Position, SieveRuntimeError } from './errors.js';
import type { SieveLimits } from './limits.js';

export interface KeepAction {
  type: 'keep';
  /** Implicit keep (RFC 5228 §2.10.2) rather than an explicit "keep". */
  implicit: boolean;
  /** IMAP flags to set (RFC 5232 §3-5); empty means the server's default. */
  flags: string[];
}

export interface FileintoAction {
  type: 'fileinto';
  mailbox: string;
  flags: string[];
  /** RFC 5490 §3.2 :create: make the folder when it does not exist. */
  create: boolean;
  copy: boolean;
}

export interface RedirectAction {
  type: 'redirect';
  address: string;
  copy: boolean;
}

export interface DiscardAction {
  type: 'discard';
}

export interface RejectAction {
  type: 'reject';
  reason: string;
  /** ereject (RFC 5429 §2.1): refuse in the SMTP transaction. */
  extended: boolean;
}

/** vacation (RFC 5230 §4, RFC 6131) with its parameters resolved. */
export interface VacationAction {
  type: 'vacation';
  reason: string;
  subject: string | null;
  from: string | null;
  addresses: string[];
  mime: boolean;
  /** The handle given with :handle, or one derived from the parameters (RFC 5230 §4.2). */
  handle: string;
  /** Minimum time between two replies to the same sender, in seconds (:days × 86400 or :seconds). */
  seconds: number;
}

export type SieveAction = KeepAction | FileintoAction | RedirectAction | DiscardAction | RejectAction | VacationAction;

/** A duplicate-test entry for the caller to record once the message is delivered (RFC 7352 §3). */
export interface DuplicateRecord {
  key: string;
  seconds: number;
}

export interface SieveOutcome {
  /** What to do, in script order; implicit keep, when it applies, is the last entry. */
  actions: SieveAction[];
  /** The runtime error, if any: the actions are then implicit keep alone (RFC 5228 §2.10.6). */
  error: SieveRuntimeError | null;
  duplicates: DuplicateRecord[];
  /** Interpreter steps used (limits.maxSteps bounds it). */
  steps: number;
}

const INBOX = 'INBOX';

function sameFolder(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === INBOX && b.toUpperCase() === INBOX);
}

export class ActionList {
  readonly actions: SieveAction[] = [];
  private cancelled = false;
  private redirects = 0;

  constructor(private readonly limits: SieveLimits) {}

  add(action: SieveAction, pos: Position): void {
    this.checkConflicts(action, pos);
    if (this.merge(action)) return;
    if (this.actions.length >= this.limits.maxActions) {
      throw new SieveRuntimeError(`more than ${this.limits.maxActions} actions`, pos);
    }
    if (action.type === 'redirect' && ++this.redirects > this.limits.maxRedirects) {
      throw new SieveRuntimeError(`more than ${this.limits.maxRedirects} redirects`, pos);
    }
    if (cancelsImplicitKeep(action)) this.cancelled = true;
    this.actions.push(action);
  }

  /** RFC 5429 §2 and RFC 5230 §4.7: reject and ereject exclude delivering, redirecting and answering. */
  private checkConflicts(action: SieveAction, pos: Position): void {
    const rejecting = this.actions.find((a) => a.type === 'reject');
    if (action.type === 'reject') {
      const other =
        rejecting ?? this.actions.find((a) => ['keep', 'fileinto', 'redirect', 'vacation'].includes(a.type));
      if (other) throw new SieveRuntimeError(`reject cannot be combined with ${other.type}`, pos);
      return;
    }
    if (rejecting && action.type !== 'discard') {
      throw new SieveRuntimeError(`${action.type} cannot be combined with reject`, pos);
    }
    if (action.type === 'vacation' && this.actions.some((a) => a.type === 'vacation')) {
      throw new SieveRuntimeError('vacation can be used once per run', pos);
    }
  }

  /** Folds a repeated delivery into the earlier one, adding its flags (RFC 5228 §4.2 one copy per folder). */
  private merge(action: SieveAction): boolean {
    const earlier = this.actions.find((a) => sameTarget(a, action));
    if (!earlier) return false;
    if ('flags' in earlier && 'flags' in action) {
      for (const flag of action.flags) if (!earlier.flags.includes(flag)) earlier.flags.push(flag);
    }
    if (earlier.type === 'fileinto' && action.type === 'fileinto') {
      earlier.create ||= action.create;
      earlier.copy &&= action.copy;
    }
    if (earlier.type === 'redirect' && action.type === 'redirect') earlier.copy &&= action.copy;
    if (cancelsImplicitKeep(action)) this.cancelled = true;
    return true;
  }

  /** The final list: implicit keep with the current flags unless something cancelled it. */
  finish(implicitFlags: string[]): SieveAction[] {
    const delivered = this.actions.some(
      (a) => a.type === 'keep' || (a.type === 'fileinto' && sameFolder(a.mailbox, INBOX)),
    );
    if (!this.cancelled && !delivered) this.actions.push({ type: 'keep', implicit: true, flags: implicitFlags });
    return this.actions;
  }
}

function sameTarget(a: SieveAction, b: SieveAction): boolean {
  const folder = (x: SieveAction) => (x.type === 'keep' ? INBOX : x.type === 'fileinto' ? x.mailbox : null);
  const fa = folder(a);
  const fb = folder(b);
  if (fa !== null && fb !== null) return sameFolder(fa, fb);
  if (a.type === 'redirect' && b.type === 'redirect') return a.address.toLowerCase() === b.address.toLowerCase();
  return a.type === 'discard' && b.type === 'discard';
}

function cancelsImplicitKeep(action: SieveAction): boolean {
  if (action.type === 'fileinto' || action.type === 'redirect') return !action.copy;
  return action.type === 'discard' || action.type === 'reject';
}

/** The outcome of a run that failed: implicit keep alone (RFC 5228 §2.10.6). */
export function failedOutcome(error: SieveRuntimeError, steps: number): SieveOutcome {
  return { actions: [{ type: 'keep', implicit: true, flags: [] }], error, duplicates: [], steps };
}
