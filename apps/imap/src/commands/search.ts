/**
 * SEARCH / UID SEARCH (RFC 3501 §6.4.4, §6.4.8; RFC 7162 §3.1.5), replacing imap-core's handler so that
 * parenthesised groups keep their meaning. Sequence numbers are resolved against this connection's view of
 * the folder (its UID list), which can lag the store until EXISTS/EXPUNGE have been sent.
 */
import type { SearchQuery } from '@mailyard/mailstore';
import type { CommandCallback, CommandModule, ImapConnection, ParsedCommand } from 'wildduck/imap-core';
import { imapTools } from '../imap-core.js';
import { parseSearch } from '../search-query.js';

export interface SearchHookResult {
  uids: number[];
  highestModseq: number;
}

export type SearchHook = (
  mailbox: unknown,
  options: { query: SearchQuery; usesModseq: boolean; isUid: boolean },
  session: ImapConnection['session'],
  callback: (err: Error | null, result?: SearchHookResult | string) => void,
) => void;

/** Rewrites message-number sets into UID sets using the connection's UID list. */
function resolveSequenceNumbers(query: SearchQuery, uidList: number[]): SearchQuery {
  switch (query.key) {
    case 'seq': {
      const range = query.set.map((i) => (typeof i === 'object' ? `${i.from}:${i.to}` : String(i))).join(',');
      return { key: 'uid', set: imapTools.getMessageRange(uidList, range, false) };
    }
    case 'and':
      return { key: 'and', of: query.of.map((q) => resolveSequenceNumbers(q, uidList)) };
    case 'or':
      return {
        key: 'or',
        left: resolveSequenceNumbers(query.left, uidList),
        right: resolveSequenceNumbers(query.right, uidList),
      };
    case 'not':
      return { key: 'not', of: resolveSequenceNumbers(query.of, uidList) };
    default:
      return query;
  }
}

function searchResponse(connection: ImapConnection, uids: number[], isUid: boolean): string[] {
  if (isUid) return uids.map(String);
  const selected = connection.selected;
  if (!selected) return [];
  const position = new Map(selected.uidList.map((uid, i) => [uid, i + 1]));
  return uids.flatMap((uid) => {
    const seq = position.get(uid);
    return seq ? [String(seq)] : [];
  });
}

export const searchCommand: CommandModule['handler'] = function search(
  this: ImapConnection,
  command: ParsedCommand,
  callback: CommandCallback,
) {
  const isUid = command.command.toUpperCase() === 'UID SEARCH';
  const selected = this.selected;
  if (!selected) return callback(null, { response: 'BAD', message: 'No folder selected' });
  const parsed = parseSearch(command.attributes);
  if (parsed.usesModseq) this.condstoreEnabled = selected.condstoreEnabled = true;
  const query = resolveSequenceNumbers(parsed.query, selected.uidList);
  const hook = this._server.onSearch as SearchHook;
  hook(selected.mailbox, { query, usesModseq: parsed.usesModseq, isUid }, this.session, (err, result) => {
    if (err || !result) return callback(err ?? new Error('search failed'));
    if (typeof result === 'string') return callback(null, { response: 'NO', code: result });
    const uids = [...result.uids].sort((a, b) => a - b);
    const items = searchResponse(this, uids, isUid);
    // RFC 7162 §3.1.5: (MODSEQ n) only when the query used MODSEQ and something matched.
    const modseq = parsed.usesModseq && items.length ? ` (MODSEQ ${result.highestModseq})` : '';
    this.send(`* SEARCH${items.length ? ` ${items.join(' ')}` : ''}${modseq}`);
    callback(null, { response: 'OK', message: `${command.command.toUpperCase()} completed` });
  });
};
