/**
 * ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) around SEARCH and UID SEARCH: `SEARCH RETURN (MIN MAX ALL COUNT
 * SAVE) program` answers `* ESEARCH (TAG "t") [UID] ...` and SAVE keeps the result for `$`. Under IMAP4rev2 every
 * SEARCH answers in ESEARCH form, ALL when no RETURN is given (RFC 9051 §6.4.4, §7.3.4). Without RETURN and
 * IMAP4rev2 the classic SEARCH (search.ts) answers. A failed SEARCH ... RETURN (SAVE) leaves `$` empty (RFC
 * 5182 §2.1).
 */
import type { Command } from '../protocol/command.js';
import { saveResult } from '../saved-search.js';
import { esearchReply, parseReturn, type ReturnOption, savedResult } from '../search-results.js';
import type { Session } from '../session.js';
import { runSearch, search, uidSearch } from './search.js';

const DEFAULT_RETURN: ReadonlySet<ReturnOption> = new Set(['ALL']);

function extended(base: Command<Session>, isUid: boolean): Command<Session> {
  return {
    ...base,
    async run(call) {
      const { options, rest } = parseReturn(call.args);
      if (!options && !call.session.rev2) return base.run(call);
      const view = call.session.requireView();
      const wanted = options ?? DEFAULT_RETURN;
      let result: ReturnType<typeof runSearch>;
      try {
        result = runSearch(call.session, rest);
      } catch (err) {
        if (wanted.has('SAVE')) saveResult(view, []);
        throw err;
      }
      if (wanted.has('SAVE')) saveResult(view, savedResult(wanted, result.uids));
      const numbers = isUid ? result.uids : result.uids.map((uid) => view.seqOf(uid) as number);
      const line = esearchReply({
        tag: call.tag,
        uid: isUid,
        options: wanted,
        numbers,
        ...(result.usesModseq ? { modseq: result.highestModseq } : {}),
      });
      if (line) await call.io.untagged(line);
      return undefined;
    },
  };
}

export const esearch = extended(search, false);
export const uidEsearch = extended(uidSearch, true);
