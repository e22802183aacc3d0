/**
 * GET /v1/export: the mailbox whose credentials the request carries (mailbox-auth.ts) as one file, mbox, a zip of
 * EML files or the encrypted database copy (@mailyard/transfer, the writers of `mailyard export`). The export is
 * streamed to a sealed file (never held in memory, never on disk in plaintext: AES-256-GCM chunks under a key kept
 * only in this process's memory, @mailyard/transfer sealed-file.ts) and then served from that file with an ETag and
 * byte ranges (RFC 9110 §14), so an interrupted download resumes (`curl -C -`).
 *
 * A finished file is kept for EXPORT_KEEP_MS, keyed by mailbox, format, folder and the mailbox's state (each
 * folder's UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ): a resumed request while nothing changed gets the same bytes
 * (the ETag names that file); after a change the key differs, a new file is written, and a Range request whose
 * If-Range names the old ETag gets the whole new file (200), as RFC 9110 §13.1.5 asks. The files live in this
 * process's scratch directory under tmp/exports: expired ones are deleted when the next export is asked for, and
 * the directories of processes that are gone (whose keys went with them) when the routes start. An mbox is the
 * same bytes for the same state, so its ETag is the state's and a range of a file written anew (another api
 * instance, or after the keep time) is still the right range; a zip or an encrypted copy is not (archive
 * details, fresh keys), so its ETag also names the file, and a Range request that would land on a file written
 * for this very request is answered with the whole file (200) rather than with bytes of another file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as Boom from '@hapi/boom';
import { AuthenticationError } from '@mailyard/errors';
import { readBoundedBody } from '@mailyard/limits';
import type { MailboxSession } from '@mailyard/mailstore';
import {
  createSealedFile,
  detectSource,
  ensureScratchDir,
  exportMessages,
  type ImportSource,
  openImportSource,
  readSealedFile,
  removeGoneScratch,
  type SealedFile,
  scratchDir,
  streamMailboxCopy,
  type TransferJobStatus,
  type TransferJobs,
  writeEmlZip,
  writeMbox,
} from '@mailyard/transfer';
import { z } from 'zod';
import { uploadedFile } from '../body.js';
import { type ApiContext, type ApiRouter, param, type RouteDeps } from '../context.js';
import { mailboxCredentials, withMailbox } from '../mailbox-auth.js';
import { parseInput } from '../validation.js';

/** How long a finished export file stays to serve resumed downloads. */
export const EXPORT_KEEP_MS = 10 * 60_000;

export const EXPORT_FORMATS = ['mbox', 'eml-zip', 'sqlite'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).describe('mbox (mboxrd), eml-zip (a zip of EML files) or sqlite (encrypted copy)'),
  folder: z.string().min(1).optional().describe('Only this folder (mbox and eml-zip); default every folder'),
});

const MEDIA: Record<ExportFormat, { type: string; ext: string }> = {
  mbox: { type: 'application/mbox', ext: 'mbox' },
  'eml-zip': { type: 'application/zip', ext: 'zip' },
  sqlite: { type: 'application/zip', ext: 'mailyard-copy.zip' },
};

/** The mailbox's state as IMAP clients see it: any append, flag change or expunge changes one of these. */
function stateOf(session: MailboxSession): string {
  return session
    .listFolders()
    .map((f) => `${f.path}\0${f.uidValidity}\0${f.uidNext}\0${f.highestModseq}`)
    .join('\n');
}

/** Writes one export to a sealed file at `path`; a failed write leaves no file behind. */
async function writeExport(
  session: MailboxSession,
  format: ExportFormat,
  folder: string | undefined,
  path: string,
): Promise<SealedFile> {
  const { input, done } = createSealedFile(path);
  try {
    if (format === 'sqlite') {
      const { stream } = await streamMailboxCopy(session, dirname(path));
      await pipeline(stream, input);
    } else {
      const messages = exportMessages(session, { folder });
      if (format === 'mbox') await pipeline(Readable.from(writeMbox(messages)), input);
      else await writeEmlZip(messages, input);
    }
    return await done;
  } catch (err) {
    input.destroy();
    await done.catch(() => undefined);
    await rm(path, { force: true });
    throw err;
  }
}

/** Files under tmp/exports itself (the plaintext exports of earlier versions) older than EXPORT_KEEP_MS. */
async function sweepLoose(dir: string, now: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(dir, entry.name);
    const info = await stat(path).catch(() => null);
    if (info && now - info.mtimeMs > EXPORT_KEEP_MS) await rm(path, { force: true });
  }
}

interface KeptExport {
  file: SealedFile;
  etag: string;
  writtenAt: number;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`: the inclusive range, 'unsatisfiable', or null (whole). */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null; // several ranges or another unit: answer the whole file (RFC 9110 §14.2 allows it)
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const n = Number(last);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return 'unsatisfiable';
  return { start, end };
}

export function registerTransferRoutes(router: ApiRouter, deps: RouteDeps): void {
  const base = join(deps.config.dataDir, 'tmp', 'exports');
  /** Finished exports of this process, by key; their keys exist nowhere else. */
  const kept = new Map<string, KeptExport>();
  /** Exports being written now, so two requests for the same key write it once. */
  const writing = new Map<string, Promise<KeptExport>>();
  // Exports of processes that are gone cannot be read by anyone (their keys went with them): remove them.
  const cleared = removeGoneScratch([base]).then((report) => {
    if (report.directories > 0) deps.logger.info({ ...report }, 'exports of stopped processes removed');
  });

  async function dropExpired(now: number): Promise<void> {
    for (const [key, entry] of kept) {
      if (now - entry.writtenAt <= EXPORT_KEEP_MS) continue;
      kept.delete(key);
      await rm(entry.file.path, { force: true });
    }
  }

  router.get('/export', async (ctx: ApiContext) => {
    const q = parseInput(exportQuery, ctx.query);
    if (q.format === 'sqlite' && q.folder) throw Boom.badRequest('the sqlite copy is of the whole mailbox (no folder)');
    await cleared;
    const dir = await ensureScratchDir(base);
    const now = Date.now();
    await dropExpired(now);
    await sweepLoose(base, now);
    const { entry, fresh, filename } = await withMailbox(ctx, deps, async (session, identity) => {
      if (q.folder && !session.getFolder(q.folder)) throw Boom.notFound(`no folder ${q.folder}`);
      const key = createHash('sha256')
        .update(`${identity.mailboxId}\0${q.format}\0${q.folder ?? ''}\0${stateOf(session)}`)
        .digest('hex')
        .slice(0, 32);
      const local = identity.address.replace(/[^A-Za-z0-9._@-]/g, '_');
      const part = q.folder ? `-${q.folder.replace(/[^A-Za-z0-9._-]/g, '_')}` : '';
      const filename = `${local}${part}.${MEDIA[q.format].ext}`;
      const found = kept.get(key);
      if (found) return { entry: found, fresh: false, filename };
      let job = writing.get(key);
      if (!job) {
        const fileId = randomBytes(6).toString('hex');
        const etag = q.format === 'mbox' ? `"${key}"` : `"${key}-${fileId}"`;
        job = writeExport(session, q.format, q.folder, join(dir, `${key}-${fileId}.sealed`))
          .then((file) => {
            const made = { file, etag, writtenAt: Date.now() };
            kept.set(key, made);
            return made;
          })
          .finally(() => writing.delete(key));
        writing.set(key, job);
      }
      return { entry: await job, fresh: true, filename };
    });
    const { etag } = entry;
    const { size } = entry.file;
    const rangeHeader = ctx.get('range');
    const ifRange = ctx.get('if-range');
    // If-Range with another validator (an older export): the whole current file, not a piece of it. Without
    // If-Range, a range of a zip or copy written for this request could be of other bytes than the client has.
    const rangeFits = !ifRange ? q.format === 'mbox' || !fresh : ifRange === etag;
    const range = rangeHeader && rangeFits ? parseRange(rangeHeader, size) : null;
    if (range === 'unsatisfiable') {
      const err = Boom.rangeNotSatisfiable(`the export is ${size} bytes`);
      err.output.headers['Content-Range'] = `bytes */${size}`;
      throw err;
    }
    ctx.set('ETag', etag);
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    ctx.type = MEDIA[q.format].type;
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      ctx.length = range.end - range.start + 1;
      ctx.body = readSealedFile(entry.file, range);
      return;
    }
    ctx.status = 200;
    ctx.length = size;
    ctx.body = readSealedFile(entry.file);
  });
}

export const importStatusOut = z.object({
  id: z.string(),
  status: z
    .enum(['queued', 'running', 'done', 'failed', 'interrupted'])
    .describe('interrupted: the server stopped during the import; error says what was imported before'),
  format: z
    .enum(['mbox', 'zip', 'eml', 'maildir-zip', 'copy'])
    .nullable()
    .describe('mbox, zip (EML files), eml, maildir-zip (a zipped Maildir tree) or copy (an encrypted mailbox copy)'),
  read: z.number().int().describe('Messages read from the file so far'),
  imported: z.number().int(),
  imported_bytes: z.number().int(),
  duplicates: z.number().int(),
  skipped: z.array(z.object({ source: z.string(), reason: z.string() })),
  folders_created: z.array(z.string()),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
type ImportStatus = z.infer<typeof importStatusOut>;

export const importQuery = z.object({
  folder: z.string().min(1).optional().describe('Folder for messages whose archive names none (default INBOX)'),
});

function presentImport(s: TransferJobStatus): ImportStatus {
  return {
    id: s.id,
    status: s.state,
    format: s.format === 'maildir' ? null : s.format, // a Maildir tree is never one uploaded file
    read: s.read,
    imported: s.imported,
    imported_bytes: s.importedBytes,
    duplicates: s.duplicates,
    skipped: s.skipped.map((k) => ({ source: k.source, reason: k.reason })),
    folders_created: s.foldersCreated,
    error: s.error,
    created_at: s.startedAt,
    finished_at: s.finishedAt,
  };
}

/**
 * POST /v1/imports and GET /v1/imports/{id}: the upload (at most api.importMaxBytes, reserved from the in-flight
 * byte budget while it arrives) is written to this process's scratch directory under tmp/imports/ (scratch.ts of
 * @mailyard/transfer: removed by the next start if the process dies mid-import), answered 202, and imported in the
 * background by
 * @mailyard/transfer's TransferJobs (importMessages, the store's append: duplicates skipped, quota counted, IMAP
 * sessions told). Every kind openImportSource knows is taken: mbox, EML, a zip of EML files or of a Maildir tree,
 * and an encrypted mailbox copy (the sqlite export), which restores its folders, flags and internal dates.
 * Statuses are files in the data dir shared with the dashboard's imports: any instance answers for any job, and
 * an import cut short by a restart is `interrupted`, saying what it imported (posting the file again skips those).
 */
/** Where the API's uploads are: a scratch directory per process under it. */
export function importsDir(dataDir: string): string {
  return join(dataDir, 'tmp', 'imports');
}

export function registerImportRoutes(router: ApiRouter, deps: RouteDeps, jobs: TransferJobs): void {
  const base = importsDir(deps.config.dataDir);

  /**
   * The upload's messages, opened before the 202 so a file of no known kind (400) or an encrypted copy that does
   * not open (403) is answered at once. A copy opens with the password in the Mailyard-Copy-Password header, or
   * else this mailbox's own (a copy restored into the mailbox it was made from).
   */
  async function openUpload(ctx: ApiContext, path: string, folder: string): Promise<ImportSource> {
    const kind = await detectSource(path).catch((err: Error) => {
      throw Boom.badRequest(`the file could not be read: ${err.message}`);
    });
    const copyPassword = () => ({
      password: ctx.get('mailyard-copy-password') || mailboxCredentials(ctx.get('authorization')).password,
    });
    try {
      return await openImportSource(path, { kind, folder, copySecret: copyPassword, workDir: scratchDir(base) });
    } catch (err) {
      if (err instanceof AuthenticationError) {
        throw Boom.forbidden(
          'the encrypted copy does not open with this password: send the password of the mailbox it was made from in the Mailyard-Copy-Password header',
        );
      }
      throw Boom.badRequest(`the file could not be read: ${(err as Error).message}`);
    }
  }

  router.post('/imports', async (ctx: ApiContext) => {
    const q = parseInput(importQuery, ctx.query);
    const { identity, session } = await deps.mailboxes.open(ctx.get('authorization') || undefined, ctx.ip);
    let path: string | null = null;
    let owned = false;
    try {
      if (q.folder && !session.getFolder(q.folder)) throw Boom.notFound(`no folder ${q.folder}`);
      // The file as the body, or as the file part of multipart/form-data (curl -F file=@mail.mbox).
      const upload = await uploadedFile(
        ctx,
        await readBoundedBody(ctx, {
          maxBytes: deps.config.api.importMaxBytes,
          budget: deps.budget,
          label: 'the import',
        }),
      );
      if (upload.length === 0) throw Boom.badRequest('the body is empty: send the mbox or zip file');
      path = join(await ensureScratchDir(base), `upload-${randomBytes(12).toString('hex')}`);
      await writeFile(path, upload, { mode: 0o600 });
      const source = await openUpload(ctx, path, q.folder ?? 'INBOX');
      const file = path;
      path = null;
      // From here the job owns the session, the source and the file (start() closes them if it cannot record).
      owned = true;
      const { id } = await jobs.start({
        kind: source.kind === 'copy' ? 'restore' : 'import',
        mailboxId: identity.mailboxId,
        fileName: null,
        session,
        source,
        upload: file,
      });
      ctx.status = 202;
      ctx.set('Location', `/v1/imports/${id}`);
      ctx.body = { id, status: 'queued' };
    } catch (err) {
      if (!owned) session.close();
      if (path) await rm(path, { force: true });
      throw err;
    }
  });

  router.get('/imports/:import', (ctx: ApiContext) =>
    withMailbox(ctx, deps, async (_session, identity) => {
      // Another mailbox's import is as unknown as a missing one.
      const job = await jobs.get(param(ctx, 'import'), identity.mailboxId);
      if (!job) throw Boom.notFound('import not found');
      ctx.body = presentImport(job);
    }),
  );
}
