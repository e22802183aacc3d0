/**
 * /v1/folders: the folders of the mailbox whose address and password the request carries (mailbox-auth.ts).
 * A folder's public id is its RFC 8474 MAILBOXID (objectid.ts in the mail store: 'F' + 24 hex), stable for the
 * folder's life and kept across renames; wherever a folder is named (`:id`, `?folder=`, `folder` in a body) its
 * path (e.g. `INBOX`, `Archive/2026`, `/` the hierarchy delimiter as in IMAP) is accepted as well. Every change
 * goes through the mail store session, which publishes it to the other sessions and processes (IMAP IDLE, POP3)
 * exactly as an IMAP command's change.
 */
import { NotFoundError } from '@mailyard/errors';
import type { Folder, MailboxSession } from '@mailyard/mailstore';
import { z } from 'zod';
import { type ApiContext, type ApiRouter, body, param, type RouteDeps } from '../context.js';
import { withMailbox } from '../mailbox-auth.js';
import { parseInput } from '../validation.js';
import { locateMessages } from './message-shapes.js';

const folderPath = z.string().min(1).max(512);

export const folderCreate = z.strictObject({
  path: folderPath,
  /** RFC 6154 special use, e.g. `\\Archive`. */
  special_use: z.enum(['\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash', '\\All', '\\Flagged']).optional(),
  subscribed: z.boolean().optional(),
});

export const folderUpdate = z.strictObject({
  /** The new path: a rename (the folder keeps its id; sub-folders move with it). */
  path: folderPath.optional(),
  subscribed: z.boolean().optional(),
});

export const folderCopy = z.strictObject({
  /** Message ids (EMAILID) to copy into this folder, each from the first folder that holds it. */
  ids: z.array(z.string().min(1).max(255)).min(1).max(1000),
});

export const folderOut = z.strictObject({
  id: z.string(),
  path: z.string(),
  special_use: z.string().nullable(),
  subscribed: z.boolean(),
  uid_validity: z.number().int(),
  uid_next: z.number().int(),
  messages: z.number().int(),
  unseen: z.number().int(),
  size: z.number().int(),
});

export const folderCopyOut = z.strictObject({
  folder: folderOut,
  copied: z.array(z.strictObject({ id: z.string(), uid: z.number().int() })),
});

const OBJECT_ID = /^F[0-9a-f]{24}$/;

/** The folder named by id (MAILBOXID) or path; 404 when the mailbox has none. */
export function findFolderRef(session: MailboxSession, ref: string): Folder {
  if (OBJECT_ID.test(ref)) {
    const byId = session.listFolders().find((f) => f.objectId === ref);
    if (byId) return byId;
  }
  const byPath = ref ? session.getFolder(ref) : null;
  if (!byPath) throw new NotFoundError('folder not found');
  return byPath;
}

export function presentFolder(session: MailboxSession, folder: Folder) {
  const status = session.status(folder.path);
  return {
    id: folder.objectId,
    path: folder.path,
    special_use: folder.specialUse,
    subscribed: folder.subscribed,
    uid_validity: folder.uidValidity,
    uid_next: status.uidNext,
    messages: status.messages,
    unseen: status.unseen,
    size: status.size,
  };
}

export function registerFolderRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/folders', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      ctx.body = session.listFolders().map((f) => presentFolder(session, f));
    }),
  );

  router.post('/folders', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (session) => {
      const input = parseInput(folderCreate, await body(ctx, deps));
      const folder = session.createFolder(input.path, {
        specialUse: input.special_use ?? null,
        subscribed: input.subscribed ?? true,
      });
      ctx.status = 201;
      ctx.body = presentFolder(session, folder);
    }),
  );

  router.get('/folders/:folder', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      ctx.body = presentFolder(session, findFolderRef(session, param(ctx, 'folder')));
    }),
  );

  router.put('/folders/:folder', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (session) => {
      const input = parseInput(folderUpdate, await body(ctx, deps));
      const folder = findFolderRef(session, param(ctx, 'folder'));
      let path = folder.path;
      if (input.path !== undefined && input.path !== folder.path) {
        session.renameFolder(folder.path, input.path);
        // Renaming INBOX moves its messages into a new folder (RFC 3501 §6.3.5) and INBOX stays: show the new one.
        path =
          folder.path === 'INBOX'
            ? input.path
            : (session.listFolders().find((f) => f.objectId === folder.objectId)?.path ?? input.path);
      }
      if (input.subscribed !== undefined) session.setSubscribed(path, input.subscribed);
      ctx.body = presentFolder(session, findFolderRef(session, path));
    }),
  );

  router.delete('/folders/:folder', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      session.deleteFolder(findFolderRef(session, param(ctx, 'folder')).path);
      ctx.status = 204;
    }),
  );

  router.post('/folders/:folder/copy', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (session) => {
      const input = parseInput(folderCopy, await body(ctx, deps));
      const target = findFolderRef(session, param(ctx, 'folder'));
      // One COPY per source folder, as an IMAP client would send it; COPYUID pairs each source UID with its copy.
      const bySource = new Map<string, Map<number, string>>();
      for (const [id, at] of locateMessages(session, input.ids)) {
        const uids = bySource.get(at.folder) ?? new Map<number, string>();
        uids.set(at.uid, id);
        bySource.set(at.folder, uids);
      }
      const copiedUid = new Map<string, number>();
      // A copy counts against the quota: check it against the limits as they are now.
      await session.refreshQuota();
      for (const [folder, uids] of bySource) {
        const result = session.copy(folder, [...uids.keys()], target.path);
        result.sourceUids.forEach((uid, i) => {
          const id = uids.get(uid);
          const dest = result.destUids[i];
          if (id !== undefined && dest !== undefined) copiedUid.set(id, dest);
        });
      }
      const copied = [...new Set(input.ids)].flatMap((id) => {
        const uid = copiedUid.get(id);
        return uid === undefined ? [] : [{ id, uid }];
      });
      ctx.body = { folder: presentFolder(session, findFolderRef(session, target.objectId)), copied };
    }),
  );
}
