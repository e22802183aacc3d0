/**
 * SELECT and EXAMINE (RFC 9051 §6.3.2-3, RFC 3501 §6.3.1-2) with CONDSTORE and QRESYNC parameters (RFC 7162
 * §3.1.8, §3.2.5). Replies, in order: FLAGS (keywords in use included), EXISTS, RECENT (IMAP4rev1),
 * OK [UNSEEN n] (IMAP4rev1, first unseen message), PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, then
 * for QRESYNC the VANISHED (EARLIER) and FETCH of what changed since the client's modseq, and the tagged OK with
 * READ-WRITE or READ-ONLY. A failed SELECT leaves no folder selected (RFC 9051 §6.3.2).
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command, CommandCall } from '../protocol/command.js';
import type { Token } from '../protocol/types.js';
import { SelectedView } from '../selected-view.js';
import type { Session } from '../session.js';
import { atom, expectArgs, list, mailboxArg, number } from './args.js';
import { type QresyncParams, sendResync } from './qresync.js';

interface SelectParams {
  condstore: boolean;
  qresync?: QresyncParams;
}

function selectParams(session: Session, token: Token | undefined): SelectParams {
  if (!token) return { condstore: false };
  const items = list(token, 'SELECT parameters');
  const params: SelectParams = { condstore: false };
  for (let i = 0; i < items.length; i++) {
    const name = atom(items[i], 'SELECT parameter').toUpperCase();
    if (name === 'CONDSTORE') {
      params.condstore = true;
    } else if (name === 'QRESYNC') {
      if (!session.qresync) throw new InputSyntaxError('ENABLE QRESYNC first');
      params.qresync = qresyncParams(items[++i]);
    } else {
      throw new InputSyntaxError(`Unknown SELECT parameter ${name}`);
    }
  }
  return params;
}

/** RFC 7162 §3.2.5: (uidvalidity mod-sequence-value [known-uids [(seq-match-data)]]). */
function qresyncParams(token: Token | undefined): QresyncParams {
  const items = list(token, 'QRESYNC parameters');
  if (items.length < 2 || items.length > 4) throw new InputSyntaxError('Invalid QRESYNC parameters');
  const knownUids = items[2] && items[2].type === 'atom' ? items[2].value : undefined;
  return {
    uidValidity: number(items[0], 'UIDVALIDITY', true),
    modseq: number(items[1], 'modseq'),
    ...(knownUids ? { knownUids } : {}),
  };
}

async function open(call: CommandCall<Session>, readOnly: boolean) {
  const { args, session, io } = call;
  expectArgs(args, 1, 2);
  const path = mailboxArg(args[0], session.utf8);
  const params = selectParams(session, args[1]);
  const wasSelected = session.view !== undefined;
  session.deselect();
  // RFC 7162 §3.2.11: the previous folder's updates end here.
  if (wasSelected && (session.qresync || session.rev2)) await io.untagged('OK [CLOSED] Previous folder closed');
  const mailbox = session.requireMailbox();
  const folder = mailbox.getFolder(path);
  if (!folder) return { status: 'NO' as const, code: 'NONEXISTENT', text: 'No such folder' };
  if (params.condstore) session.condstore = true;
  const view = new SelectedView(mailbox, folder.path, readOnly);
  await io.untagged(view.flagsLine());
  await io.untagged(`${view.exists} EXISTS`);
  if (!session.rev2) {
    await io.untagged(`${view.recent.size} RECENT`);
    const unseen = view.firstUnseen;
    if (unseen) await io.untagged(`OK [UNSEEN ${unseen}] First unseen message`);
  }
  await io.untagged(view.permanentFlagsLine());
  await io.untagged(`OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid`);
  await io.untagged(`OK [UIDNEXT ${folder.uidNext}] Predicted next UID`);
  await io.untagged(`OK [HIGHESTMODSEQ ${folder.highestModseq}] Highest`);
  await io.untagged(`OK [MAILBOXID (${folder.objectId})] Ok`); // RFC 8474 §4.2
  session.view = view;
  session.state = 'selected';
  if (params.qresync) await sendResync(session, view, params.qresync, io);
  return { status: 'OK' as const, code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${call.name} completed` };
}

export const select: Command<Session> = {
  name: 'SELECT',
  states: ['authenticated', 'selected'],
  run: (call) => open(call, false),
};

export const examine: Command<Session> = {
  name: 'EXAMINE',
  states: ['authenticated', 'selected'],
  run: (call) => open(call, true),
};
