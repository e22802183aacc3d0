/**
 * SORT and UID SORT (RFC 5256 §3) with SORT=DISPLAY (RFC 5957: DISPLAYFROM, DISPLAYTO) and ESORT (RFC 5267 §3:
 * `SORT RETURN (MIN MAX ALL COUNT SAVE) ...` answers in ESEARCH form, MIN/MAX and ALL in sort order; SAVE keeps
 * the result for SEARCHRES `$`, RFC 5182). The search program is SEARCH's (search.ts, so `$`, MODSEQ and the
 * extension keys work the same); the store orders the matches by the casemapped keys it keeps (RFC 5256 §2.1
 * base subject, i;ascii-casemap). SORT (not UID SORT) is followed by no EXPUNGE, like SEARCH. CONTEXT=SORT (RFC
 * 5267 §4): RETURN (UPDATE) keeps the sorted result up to date (search-context.ts), RETURN (PARTIAL low:high)
 * answers only those positions of it.
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { MessageQuery, SortCriterion, SortKey, UidSet } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import type { Token } from '../protocol/types.js';
import { saveResult } from '../saved-search.js';
import { checkUpdateTag, startUpdates } from '../search-context.js';
import { esearchReply, parseReturn, savedResult } from '../search-results.js';
import type { SelectedView } from '../selected-view.js';
import type { Session } from '../session.js';
import { astring, list } from './args.js';
import { evaluateSearch, type PreparedSearch, prepareSearch, type SearchResult } from './search.js';

const SORT_KEYS: Record<string, SortKey> = {
  ARRIVAL: 'arrival',
  CC: 'cc',
  DATE: 'date',
  FROM: 'from',
  SIZE: 'size',
  SUBJECT: 'subject',
  TO: 'to',
  DISPLAYFROM: 'displayfrom',
  DISPLAYTO: 'displayto',
};

/** RFC 5256 §3: search-charset; the program's strings are UTF-8 either way. */
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

/** RFC 5256 §5 sort-criteria: "(" sort-criterion *(SP sort-criterion) ")", each [REVERSE] sort-key. */
export function parseSortCriteria(token: Token | undefined): SortCriterion[] {
  const items = list(token, 'sort criteria');
  const criteria: SortCriterion[] = [];
  let reverse = false;
  for (const item of items) {
    const name = item.type === 'atom' ? item.value.toUpperCase() : '';
    if (name === 'REVERSE' && !reverse) {
      reverse = true;
      continue;
    }
    const key = SORT_KEYS[name];
    if (!key) throw new InputSyntaxError(`Invalid sort key ${name || '(not an atom)'}`);
    criteria.push(reverse ? { key, reverse } : { key });
    reverse = false;
  }
  if (reverse || criteria.length === 0) throw new InputSyntaxError('Invalid sort criteria');
  return criteria;
}

/** The charset argument of SORT and THREAD: unsupported ones are NO [BADCHARSET] (RFC 5256 §3). */
export function checkCharset(token: Token | undefined): void {
  const charset = astring(token, 'charset').toUpperCase();
  if (!CHARSETS.has(charset)) {
    throw new UserError(`Unsupported charset ${charset}`, { code: 'BADCHARSET (UTF-8 US-ASCII)' });
  }
}

/** A UID list (ascending) as a compact UID set query: consecutive runs become ranges. */
export function uidSetQuery(uids: readonly number[]): MessageQuery {
  const set: UidSet = [];
  let i = 0;
  while (i < uids.length) {
    const from = uids[i] as number;
    let to = from;
    while (uids[i + 1] === to + 1) to = uids[++i] as number;
    set.push(from === to ? from : { from, to });
    i++;
  }
  return { key: 'uid', set };
}

function sortCommand(name: string, isUid: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    forbidsExpunge: !isUid,
    async run({ tag, args, session, io }) {
      const { options, partial, rest } = parseReturn(args);
      const criteria = parseSortCriteria(rest[0]);
      checkCharset(rest[1]);
      const view = session.requireView();
      if (options?.has('UPDATE')) checkUpdateTag(view, tag);
      let prepared: PreparedSearch;
      let found: SearchResult;
      try {
        prepared = prepareSearch(session, rest.slice(2));
        found = evaluateSearch(view, prepared);
      } catch (err) {
        if (options?.has('SAVE')) saveResult(view, []);
        throw err;
      }
      const sortNow = (uids: readonly number[]) => view.mailbox.sort(view.path, criteria, uidSetQuery(uids));
      const sorted = sortNow(found.uids);
      const numbers = isUid ? sorted : sorted.map((uid) => view.seqOf(uid) as number);
      const modseq = found.usesModseq && numbers.length > 0 ? found.highestModseq : undefined;
      if (!options) {
        // RFC 7162 §3.1.5 applies to SORT too: (MODSEQ n) when the program used MODSEQ.
        const suffix = modseq === undefined ? '' : ` (MODSEQ ${modseq})`;
        await io.untagged(`SORT${numbers.length > 0 ? ` ${numbers.join(' ')}` : ''}${suffix}`);
        return undefined;
      }
      if (options.has('SAVE')) saveResult(view, savedResult(options, sorted, true));
      const line = esearchReply({
        tag,
        uid: isUid,
        options,
        numbers,
        sorted: true,
        ...(modseq ? { modseq } : {}),
        ...(partial ? { partial } : {}),
      });
      if (line) await io.untagged(line);
      if (!options.has('UPDATE')) return undefined;
      const evaluate = () => sortedNow(view, prepared, sortNow);
      await startUpdates(
        view,
        { tag, uid: isUid, sorted: true, evaluate },
        sorted,
        (text) => io.untagged(text),
        !!partial,
      );
      return undefined;
    },
  };
}

/** The sorted result of a kept program as the view stands now (an UPDATE context re-runs it). */
function sortedNow(
  view: SelectedView,
  prepared: PreparedSearch,
  sortNow: (uids: readonly number[]) => number[],
): number[] {
  return sortNow(evaluateSearch(view, prepared).uids);
}

export const sort = sortCommand('SORT', false);
export const uidSort = sortCommand('UID SORT', true);
