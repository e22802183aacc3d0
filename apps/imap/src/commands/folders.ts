/**
 * CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051 §6.3.4-8). Names are checked by mailbox-names.ts
 * (BAD for invalid modified UTF-7 or 8-bit names without UTF8=ACCEPT). RENAME INBOX moves its messages into
 * the new folder and leaves INBOX empty (RFC 3501 §6.3.5; the store implements it). The number of folders per
 * mailbox is capped (issue 12 item 12). CREATE takes USE (CREATE-SPECIAL-USE, RFC 6154 §3, create-options.ts)
 * and answers with the new folder's MAILBOXID (RFC 8474 §4.1).
 */
import { NotFoundError, UserError } from '@mailyard/errors';
import { parseCreateOptions } from '../create-options.js';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs, mailboxArg } from './args.js';

export const create: Command<Session> = {
  name: 'CREATE',
  states: ['authenticated', 'selected'],
  async run({ args, session }) {
    expectArgs(args, 1, 2);
    const mailbox = session.requireMailbox();
    const path = mailboxArg(args[0], session.utf8).replace(/\/+$/, '');
    const options = parseCreateOptions(args[1]);
    if (!path) return { status: 'NO', code: 'CANNOT', text: 'Invalid folder name' };
    if (mailbox.listFolders().length >= session.ctx.protocol.maxFolders) {
      throw new UserError('Too many folders', { code: 'LIMIT' });
    }
    const folder = mailbox.createFolder(path, { specialUse: options.specialUse ?? null });
    // RFC 8474 §4.1: the tagged OK carries the new folder's MAILBOXID.
    return { status: 'OK', code: `MAILBOXID (${folder.objectId})`, text: 'CREATE completed' };
  },
};

export const deleteFolder: Command<Session> = {
  name: 'DELETE',
  states: ['authenticated', 'selected'],
  async run({ args, session }) {
    expectArgs(args, 1);
    const path = mailboxArg(args[0], session.utf8);
    session.requireMailbox().deleteFolder(path);
    if (session.view?.path === path) session.deselect();
    return undefined;
  },
};

export const rename: Command<Session> = {
  name: 'RENAME',
  states: ['authenticated', 'selected'],
  async run({ args, session }) {
    expectArgs(args, 2);
    const from = mailboxArg(args[0], session.utf8);
    const to = mailboxArg(args[1], session.utf8);
    session.requireMailbox().renameFolder(from, to);
    const view = session.view;
    if (view && (view.path === from || view.path.startsWith(`${from}/`))) view.path = to + view.path.slice(from.length);
    return undefined;
  },
};

/**
 * RFC 9051 §6.3.7 SUBSCRIBE: OK for an existing folder, and for a name still on the subscription list after its
 * folder was deleted (§6.3.9: such names stay subscribed, LIST shows them \NonExistent; subscribing again is
 * "already subscribed"). A name that is neither is NO [NONEXISTENT]: the RFC lets the server refuse it, and
 * Dovecot does the same. RFC 9051 §6.3.8 UNSUBSCRIBE: OK also when the name was not subscribed.
 * Other sessions hear of it through a 'folder' change event (NOTIFY SubscriptionChange, RFC 5465 §5.5).
 */
function subscription(name: string, subscribed: boolean): Command<Session> {
  return {
    name,
    states: ['authenticated', 'selected'],
    async run({ args, session }) {
      expectArgs(args, 1);
      const mailbox = session.requireMailbox();
      const path = mailboxArg(args[0], session.utf8);
      const folder = mailbox.getFolder(path);
      const orphan = !folder && isOrphanSubscription(mailbox.orphanSubscriptions(), path);
      if (!folder && !orphan) {
        if (subscribed) throw new NotFoundError(`Folder ${path} does not exist`);
        return undefined;
      }
      // A subscribed orphan needs no write (and the store would refuse it: the folder is gone).
      if (subscribed && orphan) return undefined;
      mailbox.setSubscribed(folder?.path ?? path, subscribed);
      if (session.mailboxId) {
        session.ctx.deps.mailstore.notifier.publish({
          mailboxId: session.mailboxId,
          folder: folder?.path ?? path,
          kind: 'folder',
        });
      }
      return undefined;
    },
  };
}

/** Names compare as the store keys them: a first level INBOX in any case, everything else exactly. */
function isOrphanSubscription(orphans: readonly string[], path: string): boolean {
  const [first, ...rest] = path.split('/');
  const key = first?.toUpperCase() === 'INBOX' ? ['INBOX', ...rest].join('/') : path;
  return orphans.includes(key);
}

export const subscribe = subscription('SUBSCRIBE', true);
export const unsubscribe = subscription('UNSUBSCRIBE', false);
