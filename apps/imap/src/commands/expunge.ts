/**
 * EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): removes \Deleted messages (UID EXPUNGE: only those
 * in the set). The EXPUNGE (or VANISHED) replies come from the core's flush of the session's view before the
 * tagged OK, together with expunges by other sessions, numbered as the client knows them.
 */
import type { Command } from '../protocol/command.js';
import { resolveSetOrSaved } from '../saved-search.js';
import type { Session } from '../session.js';
import { atom, expectArgs } from './args.js';

export const expunge: Command<Session> = {
  name: 'EXPUNGE',
  states: ['selected'],
  async run({ args, session }) {
    expectArgs(args, 0);
    const view = session.requireView();
    if (view.readOnly) return { status: 'NO', code: 'READ-ONLY', text: 'Folder is read-only' };
    view.mailbox.expunge(view.path);
    return undefined;
  },
};

export const uidExpunge: Command<Session> = {
  name: 'UID EXPUNGE',
  states: ['selected'],
  async run({ args, session }) {
    expectArgs(args, 1);
    const view = session.requireView();
    const uids = resolveSetOrSaved(atom(args[0], 'UID set'), view, true);
    if (view.readOnly) return { status: 'NO', code: 'READ-ONLY', text: 'Folder is read-only' };
    if (uids.length > 0) view.mailbox.expunge(view.path, uids);
    return undefined;
  },
};
