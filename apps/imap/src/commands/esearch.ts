/**
 * ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) around SEARCH and UID SEARCH: `SEARCH RETURN (MIN MAX ALL COUNT
 * SAVE) program` answers `* ESEARCH (TAG "t") [UID] ...` and SAVE keeps the result for `$`. Under IMAP4rev2 every
 * SEARCH answers in ESEARCH form, ALL when no RETURN is given (RFC 9051 §6.4.4, §7.3.4). Without RETURN and
 * IMAP4rev2 the classic SEARCH (search.ts) answers. A failed SEARCH ... RETURN (SAVE) leaves `$` empty (RFC
 * 5182 §2.1). CONTEXT=SEARCH (RFC 5267 §4): RETURN (UPDATE) keeps the result up to date (search-context.ts), and
 * RETURN (PARTIAL low:high) answers only those positions of the result.
 */
import type { Command } from '../protocol/command.js';
import { saveResult } from '../saved-search.js';
import { checkUpdateTag, startUpdates } from '../search-context.js';
import { esearchReply, parseReturn, type ReturnOption, savedResult } from '../search-results.js';
import type { SelectedView } from '../selected-view.js';
import type { Session } from '../session.js';
import { evaluateSearch, type PreparedSearch, prepareSearch, type SearchResult, search, uidSearch } from './search.js';

const DEFAULT_RETURN: ReadonlySet<ReturnOption> = new Set(['ALL']);

/**
 * RFC 4731 §3.2 (with RFC 7162 §3.1.5): MODSEQ is the highest of the messages the reply reports: only the
 * minimum and maximum when just MIN/MAX were asked, else every match.
 */
function reportedModseq(view: SelectedView, options: ReadonlySet<ReturnOption>, result: SearchResult): number {
  if (options.has('ALL') || options.has('COUNT') || result.uids.length === 0) return result.highestModseq;
  const reported = [
    options.has('MIN') ? result.uids[0] : undefined,
    options.has('MAX') ? result.uids.at(-1) : undefined,
  ];
  const listing = view.mailbox.listMessages(view.path);
  let highest = 0;
  for (const uid of reported)
    if (uid !== undefined) highest = Math.max(highest, view.summaryOf(uid, listing)?.modseq ?? 0);
  return highest;
}

function extended(base: Command<Session>, isUid: boolean): Command<Session> {
  return {
    ...base,
    async run(call) {
      const { options, partial, rest } = parseReturn(call.args);
      if (!options && !call.session.rev2) return base.run(call);
      const view = call.session.requireView();
      const wanted = options ?? DEFAULT_RETURN;
      if (wanted.has('UPDATE')) checkUpdateTag(view, call.tag);
      let prepared: PreparedSearch;
      let result: SearchResult;
      try {
        prepared = prepareSearch(call.session, rest);
        result = evaluateSearch(view, prepared);
      } catch (err) {
        if (wanted.has('SAVE')) saveResult(view, []);
        throw err;
      }
      if (wanted.has('SAVE')) saveResult(view, savedResult(wanted, result.uids));
      const numbers = isUid ? result.uids : result.uids.map((uid) => view.seqOf(uid) as number);
      const modseq = result.usesModseq ? reportedModseq(view, wanted, result) : undefined;
      const line = esearchReply({
        tag: call.tag,
        uid: isUid,
        options: wanted,
        numbers,
        ...(modseq !== undefined ? { modseq } : {}),
        ...(partial ? { partial } : {}),
      });
      if (line) await call.io.untagged(line);
      if (!wanted.has('UPDATE')) return undefined;
      const context = { tag: call.tag, uid: isUid, sorted: false, evaluate: () => evaluateSearch(view, prepared).uids };
      await startUpdates(view, context, result.uids, (text) => call.io.untagged(text), partial !== undefined);
      return undefined;
    },
  };
}

export const esearch = extended(search, false);
export const uidEsearch = extended(uidSearch, true);
