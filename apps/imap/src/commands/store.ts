/**
 * STORE and UID STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3). An untagged FETCH goes out for
 * every message of the set still there (FLAGS unless .SILENT; UID for UID STORE or under QRESYNC; MODSEQ under
 * CONDSTORE, even with .SILENT). Messages another session expunged are skipped: the command still answers OK
 * with the others updated. A new keyword is announced in `* FLAGS` first. Messages failing UNCHANGEDSINCE are
 * listed in [MODIFIED ...].
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { StoreOperation } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import { packSet } from '../protocol/encode.js';
import type { Token } from '../protocol/types.js';
import { resolveSetOrSaved } from '../saved-search.js';
import type { SelectedView } from '../selected-view.js';
import type { Session } from '../session.js';
import { atom, isAtom, list, number } from './args.js';
import { keywordCount, parseFlags } from './flags.js';

interface StoreArgs {
  set: string;
  unchangedSince?: number;
  mode: StoreOperation['mode'];
  silent: boolean;
  flags: string[];
}

const ACTION = /^([+-]?)FLAGS(\.SILENT)?$/i;

function storeArgs(args: Token[], session: Session): StoreArgs {
  let i = 1;
  let unchangedSince: number | undefined;
  if (args[i]?.type === 'list') {
    const modifiers = list(args[i++]);
    if (modifiers.length !== 2 || !isAtom(modifiers[0], 'UNCHANGEDSINCE')) {
      throw new InputSyntaxError('Unknown STORE modifier');
    }
    unchangedSince = number(modifiers[1], 'UNCHANGEDSINCE');
  }
  const action = ACTION.exec(atom(args[i++], 'STORE action'));
  if (!action) throw new InputSyntaxError('Invalid STORE action');
  const rest = args.slice(i);
  const flagTokens = rest.length === 1 && rest[0]?.type === 'list' ? rest[0].items : rest;
  const flags = parseFlags(flagTokens, session.ctx.protocol.maxKeywordsPerMessage);
  const mode = action[1] === '+' ? 'add' : action[1] === '-' ? 'remove' : 'set';
  return {
    set: atom(args[0], 'sequence set'),
    mode,
    silent: !!action[2],
    flags,
    ...(unchangedSince !== undefined ? { unchangedSince } : {}),
  };
}

/** A message may not end up with more keywords than the cap (issue 12 item 12). */
function checkKeywordCap(view: SelectedView, uids: number[], parsed: StoreArgs, max: number): void {
  if (parsed.mode !== 'add' || keywordCount(parsed.flags) === 0) return;
  const listing = view.mailbox.listMessages(view.path);
  for (const uid of uids) {
    const current = view.summaryOf(uid, listing)?.flags ?? [];
    const merged = new Set([...current, ...parsed.flags]);
    if (keywordCount([...merged]) > max) throw new UserError(`At most ${max} keywords per message`, { code: 'LIMIT' });
  }
}

function storeCommand(name: string, isUid: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    forbidsExpunge: !isUid,
    async run({ args, session, io }) {
      if (args.length < 3) throw new InputSyntaxError('Missing STORE arguments');
      const parsed = storeArgs(args, session);
      const view = session.requireView();
      const uids = resolveSetOrSaved(parsed.set, view, isUid).filter((uid) => view.isLive(uid));
      if (view.readOnly) return { status: 'NO', code: 'READ-ONLY', text: 'Folder is read-only' };
      if (parsed.unchangedSince !== undefined) session.condstore = true;
      checkKeywordCap(view, uids, parsed, session.ctx.protocol.maxKeywordsPerMessage);
      const result = view.mailbox.store(view.path, uids, {
        mode: parsed.mode,
        flags: parsed.flags,
        ...(parsed.unchangedSince !== undefined ? { unchangedSince: parsed.unchangedSince } : {}),
      });
      const failed = new Set(result.failed);
      await reportFlags(
        session,
        view,
        uids.filter((u) => !failed.has(u)),
        parsed.silent,
        isUid,
        io.untagged,
      );
      if (failed.size === 0) return undefined;
      const ids = isUid ? result.failed : result.failed.map((uid) => view.seqOf(uid) ?? 0).filter((s) => s > 0);
      return {
        status: 'OK',
        code: `MODIFIED ${packSet(ids.sort((a, b) => a - b))}`,
        text: 'Some messages were modified',
      };
    },
  };
}

async function reportFlags(
  session: Session,
  view: SelectedView,
  uids: number[],
  silent: boolean,
  isUid: boolean,
  untagged: (line: string) => Promise<void>,
): Promise<void> {
  const listing = view.mailbox.listMessages(view.path);
  if (silent && !session.condstore) {
    // .SILENT: the client asked not to be told of its own change, so it must not come back as an update.
    for (const uid of uids) view.told(uid, view.summaryOf(uid, listing)?.modseq ?? 0);
    return;
  }
  for (const uid of uids) {
    const summary = view.summaryOf(uid, listing);
    const seq = view.seqOf(uid);
    if (!summary || !seq) continue;
    await view.announceKeywords(summary.flags, untagged);
    const modseq = Math.max(summary.modseq, view.toldModseq(uid));
    view.told(uid, modseq);
    const items = [
      ...(isUid || session.qresync ? [`UID ${uid}`] : []),
      ...(silent ? [] : [`FLAGS (${view.flagsOf(summary, session.rev2).join(' ')})`]),
      ...(session.condstore ? [`MODSEQ (${modseq})`] : []),
    ];
    await untagged(`${seq} FETCH (${items.join(' ')})`);
  }
}

export const store = storeCommand('STORE', false);
export const uidStore = storeCommand('UID STORE', true);
