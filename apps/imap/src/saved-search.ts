/**
 * SEARCHRES (RFC 5182): the result a SEARCH (or SORT) RETURN (SAVE) kept, referenced as `$` wherever a
 * sequence set may stand. The result belongs to the selected folder's view: a new SELECT or EXAMINE makes a new
 * view, so the saved result is gone with the old one, as §2.1 asks, without a reset hook. It is kept as UIDs,
 * so messages expunged later simply drop out of it (§2.1: "$" then names only the remaining ones).
 */
import type { SelectedView } from './selected-view.js';
import { resolveSet } from './sequence-set.js';

const saved = new WeakMap<SelectedView, readonly number[]>();

export function saveResult(view: SelectedView, uids: readonly number[]): void {
  saved.set(
    view,
    [...uids].sort((a, b) => a - b),
  );
}

/** The saved UIDs still in the view, ascending; empty when nothing was saved (§2.1). */
export function savedUids(view: SelectedView): number[] {
  return (saved.get(view) ?? []).filter((uid) => view.seqOf(uid) !== undefined);
}

/** A sequence-set argument that may be `$` (RFC 5182 §2.2), as UIDs of the view. */
export function resolveSetOrSaved(text: string, view: SelectedView, isUid: boolean): number[] {
  return text === '$' ? savedUids(view) : resolveSet(text, view.uids, isUid);
}
