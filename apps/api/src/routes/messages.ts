/**
 * /v1/messages: the mail of the mailbox whose address and password the request carries (mailbox-auth.ts), through
 * the mail store's session API as the IMAP app uses it (search, listing, fetch, STORE, MOVE, APPEND, EXPUNGE), so
 * every change made here is published to IMAP IDLE sessions and POP3 like an IMAP client's. Message ids and
 * folder ids: message-shapes.ts and folders.ts.
 *
 * Uploads (POST): `Content-Type: message/rfc822` with the raw message, or JSON (messageCreate: composed into MIME,
 * or its `raw` text); either is bounded by smtp.maxMessageSize (413 above it, checked against the declared length
 * before reading and while reading) and reserves its bytes from the process's in-flight byte budget (503 while
 * full). A message is answered 201 only after the store committed it.
 */
import * as Boom from '@hapi/boom';
import { MessageTooLargeError, ValidationError } from '@mailyard/errors';
import { readBoundedBody } from '@mailyard/limits';
import type { MailboxSession, StoredMessage } from '@mailyard/mailstore';
import { readBody } from '../body.js';
import { type ApiContext, type ApiRouter, param, type RouteDeps, setPageHeaders } from '../context.js';
import { withMailbox } from '../mailbox-auth.js';
import { parseInput } from '../validation.js';
import { findFolderRef } from './folders.js';
import { composeMessage } from './message-compose.js';
import {
  listFilter,
  type MessageLocation,
  messageCreate,
  messageCreateQuery,
  messageDeleteQuery,
  messageGetQuery,
  messageListQuery,
  messageUpdate,
  notRfc5322,
  presentMessage,
  presentSummary,
  requireMessage,
} from './message-shapes.js';

const RAW_TYPE = /^message\/rfc822\b/i;

function stored(session: MailboxSession, at: MessageLocation): StoredMessage {
  const message = session.getMessage(at.folder, at.uid);
  if (!message) throw Boom.notFound('message not found');
  return message;
}

/** The copy `?folder=` names (404 when that folder has none), or every copy. */
function copiesOf(session: MailboxSession, id: string, folderRef: string | undefined): MessageLocation[] {
  const folder = folderRef === undefined ? undefined : findFolderRef(session, folderRef);
  return requireMessage(session, id, folder);
}

/** The bytes of an upload and the options that come with them. */
async function upload(ctx: ApiContext, deps: RouteDeps) {
  const maxBytes = deps.config.smtp.maxMessageSize;
  if (RAW_TYPE.test(ctx.get('content-type'))) {
    const raw = await readBoundedBody(ctx, { maxBytes, budget: deps.budget, label: 'the message' });
    const query = parseInput(messageCreateQuery, ctx.query);
    return { raw, folder: query.folder, flags: [] as string[] };
  }
  const input = parseInput(messageCreate, await readBody(ctx, maxBytes, deps.budget));
  const raw = await composeMessage(input);
  if (raw.length > maxBytes) throw new MessageTooLargeError(`the message is over ${maxBytes} bytes`);
  return { raw, folder: input.folder, flags: [...(input.flags ?? []), ...(input.keywords ?? [])] };
}

export function registerMessageRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/messages', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      const q = parseInput(messageListQuery, ctx.query);
      const folder = findFolderRef(session, q.folder);
      const filter = listFilter(q);
      const uids = filter ? session.search(folder.path, filter) : session.listMessages(folder.path).map((m) => m.uid);
      // Newest first: the highest UID was stored last.
      const start = uids.length - (q.page - 1) * q.limit;
      const pageUids = uids.slice(Math.max(0, start - q.limit), Math.max(0, start)).reverse();
      const at = { folder: folder.path, folderId: folder.objectId };
      const rows = new Map(session.summaries(folder.path, pageUids).map((row) => [row.uid, row]));
      const items = pageUids.flatMap((uid) => {
        const row = rows.get(uid);
        return row ? [presentSummary(row, { ...at, uid })] : [];
      });
      setPageHeaders(ctx, { items, total: uids.length, page: q.page, limit: q.limit });
      ctx.body = items;
    }),
  );

  router.get('/messages/:message', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      const q = parseInput(messageGetQuery, ctx.query);
      const [at] = copiesOf(session, param(ctx, 'message'), q.folder);
      if (!at) throw Boom.notFound('message not found');
      const raw = session.getRaw(at.folder, at.uid);
      if (!raw) throw Boom.notFound('message not found');
      if (q.eml) {
        ctx.type = 'message/rfc822';
        ctx.body = raw;
        return;
      }
      ctx.body = presentMessage(stored(session, at), at, raw);
    }),
  );

  router.post('/messages', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (session) => {
      const { raw, folder: folderRef, flags } = await upload(ctx, deps);
      const reason = notRfc5322(raw);
      if (reason) throw new ValidationError(`not an RFC 5322 message: ${reason}`, 'raw');
      const folder = findFolderRef(session, folderRef);
      const result = await session.append(folder.path, raw, { flags });
      const at = { folder: folder.path, folderId: folder.objectId, uid: result.uid };
      ctx.status = 201;
      ctx.body = presentSummary(stored(session, at), at);
    }),
  );

  router.put('/messages/:message', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (session) => {
      const input = parseInput(messageUpdate, await readBody(ctx, deps.config.api.bodyLimitBytes, deps.budget));
      const q = parseInput(messageGetQuery.pick({ folder: true }), ctx.query);
      const copies = copiesOf(session, param(ctx, 'message'), q.folder);
      const target = input.folder === undefined ? undefined : findFolderRef(session, input.folder);
      const after: MessageLocation[] = [];
      for (const at of copies) {
        if (input.flags !== undefined || input.keywords !== undefined) {
          const current = stored(session, at).flags;
          const system = input.flags ?? current.filter((f) => f.startsWith('\\'));
          const keywords = input.keywords ?? current.filter((f) => !f.startsWith('\\'));
          session.store(at.folder, [at.uid], { mode: 'set', flags: [...system, ...keywords] });
        }
        if (target && target.path !== at.folder) {
          const moved = session.move(at.folder, [at.uid], target.path);
          const uid = moved.destUids[0];
          if (uid !== undefined) after.push({ folder: target.path, folderId: target.objectId, uid });
        } else {
          after.push(at);
        }
      }
      const [first] = after;
      if (!first) throw Boom.notFound('message not found');
      ctx.body = presentSummary(stored(session, first), first);
    }),
  );

  router.delete('/messages/:message', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      const q = parseInput(messageDeleteQuery, ctx.query);
      const copies = copiesOf(session, param(ctx, 'message'), q.folder);
      const trash = session.listFolders().find((f) => f.specialUse === '\\Trash');
      for (const at of copies) {
        if (q.expunge || !trash || trash.path === at.folder) {
          // As an IMAP client does it: \Deleted, then UID EXPUNGE of that one message (RFC 4315).
          session.store(at.folder, [at.uid], { mode: 'add', flags: ['\\Deleted'] });
          session.expunge(at.folder, [at.uid]);
        } else {
          session.move(at.folder, [at.uid], trash.path);
        }
      }
      ctx.status = 204;
    }),
  );
}
