/**
 * COPY and MOVE with their UID forms (RFC 9051 §6.4.7-8, RFC 6851, COPYUID RFC 4315 §3). Copies become \Recent
 * in the target (the store marks them; the first session to select the target takes them). MOVE sends
 * `* OK [COPYUID ...]` before the EXPUNGEs (RFC 6851 §4.3), which the core's flush sends before the tagged OK.
 */
import type { Command } from '../protocol/command.js';
import { packSet } from '../protocol/encode.js';
import { resolveSetOrSaved } from '../saved-search.js';
import type { Session } from '../session.js';
import { atom, expectArgs, mailboxArg } from './args.js';

function transfer(name: string, isUid: boolean, move: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    async run({ args, session, io }) {
      expectArgs(args, 2);
      const view = session.requireView();
      const uids = resolveSetOrSaved(atom(args[0], 'sequence set'), view, isUid).filter((u) => view.isLive(u));
      const dest = mailboxArg(args[1], session.utf8);
      if (!view.mailbox.getFolder(dest)) return { status: 'NO', code: 'TRYCREATE', text: 'No such target folder' };
      if (move && view.readOnly) return { status: 'NO', code: 'READ-ONLY', text: 'Folder is read-only' };
      if (uids.length === 0) return { status: 'OK', text: 'No messages' };
      // A copy adds to the quota (a move does not): check against the limits as an administrator left them.
      if (!move) await view.mailbox.refreshQuota();
      const result = move ? view.mailbox.move(view.path, uids, dest) : view.mailbox.copy(view.path, uids, dest);
      if (result.sourceUids.length === 0) return { status: 'OK', text: 'No messages' };
      const code = `COPYUID ${result.uidValidity} ${uidList(result.sourceUids)} ${uidList(result.destUids)}`;
      if (!move) return { status: 'OK', code, text: `${name} completed` };
      await io.untagged(`OK [${code}] Moved`);
      return { status: 'OK', text: `${name} completed` };
    },
  };
}

/** UIDs in the order given (COPYUID pairs source and destination by position), packed when ascending. */
function uidList(uids: number[]): string {
  const ascending = uids.every((uid, i) => i === 0 || uid > (uids[i - 1] as number));
  return ascending ? packSet(uids) : uids.join(',');
}

export const copy = transfer('COPY', false, false);
export const uidCopy = transfer('UID COPY', true, false);
export const move = transfer('MOVE', false, true);
export const uidMove = transfer('UID MOVE', true, true);
