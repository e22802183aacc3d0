/**
 * CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): a SEARCH or SORT with `RETURN (UPDATE ...)` keeps its result,
 * and while the folder stays selected the session is told how that result changes, in ESEARCH responses tagged
 * with the command's tag (§4.3): `ADDTO (position set)` for messages that now match, `REMOVEFROM (position set)`
 * for messages that no longer do (expunged ones included), until CANCELUPDATE (§4.5) or the folder is left (the
 * contexts belong to the selected folder's view, like SEARCHRES's `$`).
 *
 * When: with the other pending changes of the view (SelectedView.flush, after every command and during IDLE).
 * REMOVEFROM goes before the EXPUNGEs, while the client's message numbers still name the removed messages;
 * ADDTO goes after EXISTS, once the new messages have numbers.
 *
 * Positions (§4.3): for SORT the 1-based place in the sorted result where the set begins, each response read
 * after the ones before it (removals highest place first, additions lowest first), sets in sort order. For SEARCH
 * the result is ascending, the place follows from the numbers, and the position is 0 with one set for all (the
 * grammar's "context position may be 0 for SEARCH result additions"; removals use it the same way).
 * The result is re-run when the view saw a change (the change journal moved, messages came or went); keys that
 * change without a journal entry (OLDER/YOUNGER as time passes) are caught at the next change.
 */
import { InputSyntaxError } from '@mailyard/errors';
import { imapString, packSet } from './protocol/encode.js';
import { IMAP_LIMITS } from './protocol/limits.js';
import { orderedSet } from './search-results.js';
import type { SelectedView, Writer } from './selected-view.js';

export interface UpdateContext {
  tag: string;
  /** UID SEARCH / UID SORT: numbers are UIDs and the responses say UID. */
  uid: boolean;
  /** SORT: the result keeps its order and positions count in it. */
  sorted: boolean;
  /** The result now, as UIDs of the view in result order (ascending for SEARCH). */
  evaluate(): number[];
}

interface Held {
  context: UpdateContext;
  result: number[];
}

type Numbering = (uid: number) => number | undefined;

export class SearchContexts {
  readonly #held = new Map<string, Held>();
  /** The view's revision when the results were last brought up to date. */
  #revision = -1;

  get size(): number {
    return this.#held.size;
  }

  has(tag: string): boolean {
    return this.#held.has(tag);
  }

  /** Keeps `initial` (UIDs in result order) up to date; false when the folder already keeps as many as it may. */
  add(context: UpdateContext, initial: readonly number[]): boolean {
    if (this.#held.size >= IMAP_LIMITS.maxUpdateContexts) return false;
    this.#held.set(context.tag, { context, result: [...initial] });
    return true;
  }

  /** CANCELUPDATE (§4.5); false for a tag with no context. */
  cancel(tag: string): boolean {
    return this.#held.delete(tag);
  }

  /** Before EXPUNGE and EXISTS are told: REMOVEFROM for what left each result, numbered as the client numbers now. */
  async removals(view: SelectedView, write: Writer): Promise<void> {
    if (this.#held.size === 0 || view.revision === this.#revision) return;
    const numbering = numberingOf(view);
    for (const held of this.#held.values()) {
      const now = new Set(held.context.evaluate());
      await this.#remove(held, (uid) => !now.has(uid), numbering(held.context), write);
    }
  }

  /** After EXISTS and FETCH: re-run, then REMOVEFROM and ADDTO against what the client holds. */
  async additions(view: SelectedView, write: Writer): Promise<void> {
    if (this.#held.size === 0 || view.revision === this.#revision) return;
    this.#revision = view.revision;
    const numbering = numberingOf(view);
    for (const held of this.#held.values()) {
      const next = held.context.evaluate();
      const nextSet = new Set(next);
      const number = numbering(held.context);
      await this.#remove(held, (uid) => !nextSet.has(uid), number, write);
      await this.#add(held, next, number, write);
    }
  }

  async #remove(held: Held, gone: (uid: number) => boolean, number: Numbering, write: Writer): Promise<void> {
    const removed = held.result.filter((uid) => gone(uid) && number(uid) !== undefined);
    if (removed.length === 0) return;
    const removedSet = new Set(removed);
    const items = held.context.sorted
      ? sortedRuns(held.result, removedSet, number).reverse()
      : [[0, packSet(removed.map((uid) => number(uid) as number).sort((a, b) => a - b))] as const];
    held.result = held.result.filter((uid) => !removedSet.has(uid));
    await write(updateLine(held.context, 'REMOVEFROM', items));
  }

  async #add(held: Held, next: readonly number[], number: Numbering, write: Writer): Promise<void> {
    const had = new Set(held.result);
    const added = new Set(next.filter((uid) => !had.has(uid) && number(uid) !== undefined));
    if (added.size === 0) return;
    const result = next.filter((uid) => had.has(uid) || added.has(uid));
    const items = held.context.sorted
      ? sortedRuns(result, added, number)
      : [[0, packSet([...added].map((uid) => number(uid) as number).sort((a, b) => a - b))] as const];
    held.result = result;
    await write(updateLine(held.context, 'ADDTO', items));
  }
}

function numberingOf(view: SelectedView): (context: UpdateContext) => Numbering {
  return (context) =>
    context.uid ? (uid) => (view.seqOf(uid) === undefined ? undefined : uid) : (uid) => view.seqOf(uid);
}

/** Runs of consecutive places in `list` held by `picked`: [1-based place of the run's start, its numbers in order]. */
function sortedRuns(
  list: readonly number[],
  picked: ReadonlySet<number>,
  number: Numbering,
): Array<readonly [number, string]> {
  const runs: Array<readonly [number, string]> = [];
  let i = 0;
  while (i < list.length) {
    if (!picked.has(list[i] as number)) {
      i++;
      continue;
    }
    const start = i;
    while (i < list.length && picked.has(list[i] as number)) i++;
    runs.push([start + 1, orderedSet(list.slice(start, i).map((uid) => number(uid) as number))]);
  }
  return runs;
}

function updateLine(
  context: UpdateContext,
  kind: 'ADDTO' | 'REMOVEFROM',
  items: ReadonlyArray<readonly [number, string]>,
): string {
  const data = items.map(([position, set]) => `${kind} (${position} ${set})`).join(' ');
  return `ESEARCH (TAG ${imapString(context.tag)})${context.uid ? ' UID' : ''} ${data}`;
}

/** §4.1: a context is named by its command's tag, so the tag may not name one already kept (BAD, as Dovecot). */
export function checkUpdateTag(view: SelectedView, tag: string): void {
  if (view.contexts.has(tag)) throw new InputSyntaxError(`Search update tag ${tag} is already in use`);
}

/**
 * Starts keeping a result up to date after the command's ESEARCH reply, or says it will not with
 * `* NO [NOUPDATE "tag"]` (§4.2): when the folder keeps the most it may, or for a PARTIAL result (the window of
 * positions moves with every change; updates are given for whole results only).
 */
export async function startUpdates(
  view: SelectedView,
  context: UpdateContext,
  initial: readonly number[],
  untagged: (line: string) => Promise<void>,
  partial: boolean,
): Promise<void> {
  if (partial) {
    await untagged(`NO [NOUPDATE ${imapString(context.tag)}] UPDATE is not kept for a PARTIAL result`);
    return;
  }
  if (!view.contexts.add(context, initial)) {
    await untagged(`NO [NOUPDATE ${imapString(context.tag)}] Too many search updates on this folder`);
  }
}
