/**
 * STATUS (RFC 9051 §6.3.11) with HIGHESTMODSEQ (RFC 7162 §3.1.8). Items the client did not ask for are not
 * sent; an unknown item is BAD. Extensions (SIZE, MAILBOXID ...) add their items to STATUS_ITEMS.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { FolderStatus } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import { imapString } from '../protocol/encode.js';
import type { Session } from '../session.js';
import { astringBytes, atom, expectArgs, list, mailboxArg } from './args.js';

export const STATUS_ITEMS: Record<string, (status: FolderStatus) => number | string> = {
  MESSAGES: (s) => s.messages,
  RECENT: (s) => s.recent,
  UIDNEXT: (s) => s.uidNext,
  UIDVALIDITY: (s) => s.uidValidity,
  UNSEEN: (s) => s.unseen,
  HIGHESTMODSEQ: (s) => s.highestModseq,
  SIZE: (s) => s.size, // RFC 8438 STATUS=SIZE
  DELETED: (s) => s.deleted, // RFC 9051 §6.3.11
  MAILBOXID: (s) => `(${s.mailboxId})`, // RFC 8474 §4.3
};

export const status: Command<Session> = {
  name: 'STATUS',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 2);
    const path = mailboxArg(args[0], session.utf8);
    const names = list(args[1], 'status items').map((t) => atom(t, 'status item').toUpperCase());
    for (const name of names) if (!STATUS_ITEMS[name]) throw new InputSyntaxError(`Unknown STATUS item ${name}`);
    const mailbox = session.requireMailbox();
    if (!mailbox.getFolder(path)) return { status: 'NO', code: 'NONEXISTENT', text: 'No such folder' };
    const result = mailbox.status(path);
    if (names.includes('HIGHESTMODSEQ')) session.condstore = true;
    const items = names.map((name) => `${name} ${STATUS_ITEMS[name]?.(result) ?? 0}`);
    await io.untagged(`STATUS ${imapString(astringBytes(args[0]))} (${items.join(' ')})`);
    return undefined;
  },
};
