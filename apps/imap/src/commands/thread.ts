/**
 * THREAD and UID THREAD (RFC 5256 §3): THREAD=ORDEREDSUBJECT and THREAD=REFERENCES over the messages a SEARCH
 * program selects (the same program SEARCH runs, search.ts). The store builds the trees; this file writes them in
 * the thread-list grammar of RFC 5256 §5: a chain of single children is one list `(1 2 3)`, several children are
 * nested lists `(1 (2)(3))`, and a dummy parent is a list with no number of its own `((2)(3))`.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { ThreadAlgorithm, ThreadNode } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { atom } from './args.js';
import { runSearch } from './search.js';
import { checkCharset, uidSetQuery } from './sort.js';

const ALGORITHMS: Record<string, ThreadAlgorithm> = {
  ORDEREDSUBJECT: 'orderedsubject',
  REFERENCES: 'references',
};

/** thread-members / thread-nested of one node (RFC 5256 §5), numbers mapped by `id`. */
function members(node: ThreadNode, id: (uid: number) => number): string {
  const head = node.uid === null ? '' : String(id(node.uid));
  if (node.children.length === 0) return head;
  const only = node.children.length === 1 ? node.children[0] : undefined;
  if (only && node.uid !== null) return `${head} ${members(only, id)}`;
  const nested = node.children.map((child) => `(${members(child, id)})`).join('');
  return head ? `${head} ${nested}` : nested;
}

/** The `THREAD ...` untagged reply (without `* `). */
export function threadReply(threads: readonly ThreadNode[], id: (uid: number) => number): string {
  const lists = threads.map((t) => `(${members(t, id)})`).join('');
  return lists ? `THREAD ${lists}` : 'THREAD';
}

function threadCommand(name: string, isUid: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    forbidsExpunge: !isUid,
    async run({ args, session, io }) {
      const algorithm = ALGORITHMS[atom(args[0], 'thread algorithm').toUpperCase()];
      if (!algorithm) throw new InputSyntaxError('Unknown thread algorithm');
      checkCharset(args[1]);
      const view = session.requireView();
      const found = runSearch(session, args.slice(2));
      const threads = view.mailbox.thread(view.path, algorithm, uidSetQuery(found.uids));
      await io.untagged(threadReply(threads, isUid ? (uid) => uid : (uid) => view.seqOf(uid) as number));
      return undefined;
    },
  };
}

export const thread = threadCommand('THREAD', false);
export const uidThread = threadCommand('UID THREAD', true);
