/** SEARCH (RFC 3501 §6.4.4) through the store's query engine (FTS5 for TEXT/BODY); MODSEQ per RFC 7162 §3.1.5. */
import type { SearchQuery } from '@mailyard/mailstore';
import type { ImapSession } from 'wildduck/imap-core';
import type { SearchHookResult } from '../commands/search.js';
import { failHook } from '../hook-failure.js';
import { asSelected } from '../selected-folder.js';

/** imap-core always announces `* 0 RECENT`, so no message counts as \Recent for this connection. */
const NO_RECENT: ReadonlySet<number> = new Set();

type SearchCallback = (err: Error | null, result?: SearchHookResult | string) => void;

export function onSearch() {
  return (
    selected: unknown,
    options: { query: SearchQuery; usesModseq: boolean },
    session: ImapSession,
    callback: SearchCallback,
  ): void => {
    try {
      const folder = asSelected(selected);
      const uids = folder.mailbox.search(folder.path, options.query, { recentUids: NO_RECENT });
      callback(null, {
        uids,
        highestModseq: options.usesModseq ? highestModseq(folder.mailbox, folder.path, uids) : 0,
      });
    } catch (err) {
      callback(null, failHook(session, err, 'onSearch'));
    }
  };
}

function highestModseq(mailbox: ReturnType<typeof asSelected>['mailbox'], path: string, uids: number[]): number {
  const matched = new Set(uids);
  let highest = 0;
  for (const message of mailbox.listMessages(path)) {
    if (matched.has(message.uid) && message.modseq > highest) highest = message.modseq;
  }
  return highest;
}
