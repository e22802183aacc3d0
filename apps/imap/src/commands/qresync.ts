/**
 * QRESYNC resynchronisation (RFC 7162 §3.2): the expunged UIDs since a modseq, from the mail store's change
 * journal (so changes by any process while the client was offline count), told as VANISHED (EARLIER), and the
 * FETCH (UID FLAGS MODSEQ) of every message changed since.
 */
import type { CommandIo } from '../protocol/command.js';
import { packSet } from '../protocol/encode.js';
import type { SelectedView } from '../selected-view.js';
import { parseSequenceSet, sequenceMatcher } from '../sequence-set.js';
import type { Session } from '../session.js';

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids?: string;
}

/** UIDs expunged since `modseq` that `inSet` accepts and the view no longer holds, ascending. */
export function expungedSince(view: SelectedView, modseq: number, inSet: (uid: number) => boolean): number[] {
  const live = new Set(view.uids);
  const gone = new Set<number>();
  for (const change of view.mailbox.changesSince(view.path, modseq)) {
    if (change.kind === 'expunged' && inSet(change.uid) && !live.has(change.uid)) gone.add(change.uid);
  }
  return [...gone].sort((a, b) => a - b);
}

export async function vanishedEarlier(io: CommandIo, uids: number[]): Promise<void> {
  if (uids.length > 0) await io.untagged(`VANISHED (EARLIER) ${packSet(uids)}`);
}

/** RFC 7162 §3.2.5.1: the resync replies of SELECT/EXAMINE (QRESYNC ...), when the UIDVALIDITY still matches. */
export async function sendResync(session: Session, view: SelectedView, params: QresyncParams, io: CommandIo) {
  if (view.uidValidity !== params.uidValidity) return;
  const known = params.knownUids
    ? sequenceMatcher(parseSequenceSet(params.knownUids), Number.MAX_SAFE_INTEGER)
    : () => true;
  await vanishedEarlier(io, expungedSince(view, params.modseq, known));
  for (const message of view.mailbox.listMessages(view.path)) {
    const seq = view.seqOf(message.uid);
    if (!seq || message.modseq <= params.modseq || !known(message.uid)) continue;
    view.told(message.uid, message.modseq);
    const flags = view.flagsOf(message, session.rev2).join(' ');
    await io.untagged(`${seq} FETCH (UID ${message.uid} FLAGS (${flags}) MODSEQ (${message.modseq}))`);
  }
}
