/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4; MODSEQ RFC 7162 §3.1.5). Message numbers are
 * resolved against this session's view; \Recent (RECENT, NEW, OLD) is the session's own set (RFC 3501 §2.3.2).
 * SEARCH (not UID SEARCH) is followed by no EXPUNGE (RFC 3501 §7.4.1). Extensions (ESEARCH's RETURN, SEARCHRES)
 * wrap `runSearch`.
 */
import type { MessageQuery } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import type { Token } from '../protocol/types.js';
import { savedUids } from '../saved-search.js';
import { parseSearch, type SearchQuery } from '../search-query.js';
import type { SelectedView } from '../selected-view.js';
import { resolveSentDates } from '../sent-dates.js';
import type { SequenceSet } from '../sequence-set.js';
import type { Session } from '../session.js';

/**
 * The UIDs of the view that a message-number set names. As a SEARCH key a set only selects: numbers past the
 * last message match nothing rather than failing the command (RFC 9051 §6.4.4; imaptest's esearch group
 * expects `SEARCH RETURN () 1000` to answer an empty ESEARCH).
 */
function sequenceUids(set: SequenceSet, uids: readonly number[]): number[] {
  const count = uids.length;
  const picked = new Set<number>();
  for (const item of set) {
    const [from, to] = typeof item === 'object' ? [item.from, item.to] : [item, item];
    const a = from === '*' ? count : from;
    const b = to === '*' ? count : to;
    for (let seq = Math.max(1, Math.min(a, b)); seq <= Math.min(count, Math.max(a, b)); seq++) picked.add(seq);
  }
  return [...picked].sort((x, y) => x - y).map((seq) => uids[seq - 1] as number);
}

/** Rewrites message-number sets into UID sets of the view: the store's query knows UIDs only. */
function resolveSequenceNumbers(query: SearchQuery, view: SelectedView): MessageQuery {
  switch (query.key) {
    case 'seq':
      return { key: 'uid', set: sequenceUids(query.set, view.uids) };
    case 'and':
      return { key: 'and', of: query.of.map((q) => resolveSequenceNumbers(q, view)) };
    case 'or':
      return {
        key: 'or',
        left: resolveSequenceNumbers(query.left, view),
        right: resolveSequenceNumbers(query.right, view),
      };
    case 'not':
      return { key: 'not', of: resolveSequenceNumbers(query.of, view) };
    default:
      return query;
  }
}

export interface SearchResult {
  /** Matching UIDs in the view, ascending. */
  uids: number[];
  usesModseq: boolean;
  /** Highest MODSEQ among the matches (0 when none or MODSEQ not used). */
  highestModseq: number;
}

/** A search program parsed once, its message numbers turned into UIDs (an UPDATE context re-runs it). */
export interface PreparedSearch {
  query: MessageQuery;
  usesModseq: boolean;
}

/** Parses a search program (the tokens after any RETURN options) against the session's view. */
export function prepareSearch(session: Session, tokens: Token[]): PreparedSearch {
  const view = session.requireView();
  const parsed = parseSearch(
    tokens,
    { maxDepth: session.ctx.protocol.maxDepth, maxKeys: session.ctx.protocol.maxSearchKeys },
    { saved: savedUids(view) },
  );
  if (parsed.usesModseq) session.condstore = true;
  return { query: resolveSequenceNumbers(parsed.query, view), usesModseq: parsed.usesModseq };
}

/** Runs a prepared program against the view as it is now: matches the client has been told of, ascending. */
export function evaluateSearch(view: SelectedView, prepared: PreparedSearch): SearchResult {
  const query = resolveSentDates(prepared.query, view.mailbox, view.path);
  const found = view.mailbox.search(view.path, query, { recentUids: view.recent });
  const uids = found.filter((uid) => view.seqOf(uid) !== undefined).sort((a, b) => a - b);
  let highestModseq = 0;
  if (prepared.usesModseq && uids.length > 0) {
    const listing = view.mailbox.listMessages(view.path);
    for (const uid of uids) highestModseq = Math.max(highestModseq, view.summaryOf(uid, listing)?.modseq ?? 0);
  }
  return { uids, usesModseq: prepared.usesModseq, highestModseq };
}

/** Runs a search program (the tokens after any RETURN options) against the session's view. */
export function runSearch(session: Session, tokens: Token[]): SearchResult {
  return evaluateSearch(session.requireView(), prepareSearch(session, tokens));
}

function searchCommand(name: string, isUid: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    forbidsExpunge: !isUid,
    async run({ args, session, io }) {
      const view = session.requireView();
      const result = runSearch(session, args);
      const ids = isUid ? result.uids : result.uids.map((uid) => view.seqOf(uid) as number);
      // RFC 7162 §3.1.5: (MODSEQ n) only when the program used MODSEQ and something matched.
      const modseq = result.usesModseq && ids.length > 0 ? ` (MODSEQ ${result.highestModseq})` : '';
      await io.untagged(`SEARCH${ids.length > 0 ? ` ${ids.join(' ')}` : ''}${modseq}`);
      return undefined;
    },
  };
}

export const search = searchCommand('SEARCH', false);
export const uidSearch = searchCommand('UID SEARCH', true);
