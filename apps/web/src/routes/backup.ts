/**
 * The backup page of an alias's mailbox: download the encrypted copy or an mbox (streamed as it is written, never
 * held whole), import an mbox / EML / zip upload, restore an encrypted copy into this mailbox, and restore one into
 * a new alias. Everything goes through @mailyard/transfer, the code behind `mailyard export|import` and the REST
 * API's /v1/export and /v1/imports: one way to read each format, one ingest path (the store's append).
 *
 * Zero-access: the dashboard login never opens a mailbox. Each form asks for the mailbox password, which unlocks
 * the mailbox for that request (a download's stream, an import's background job) and is never stored; wrong
 * passwords are counted by the dashboard's LoginGate like failed logins. An encrypted copy opens only with the
 * password of the mailbox it was made from (or its recovery key, with the command): its database is encrypted
 * with that mailbox's data key, which its key file wraps with that password.
 */
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type Alias, type Domain, issueMailboxPassword } from '@mailyard/control';
import {
  AuthenticationError,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  UserError,
  ValidationError,
} from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';
import {
  detectSource,
  ensureScratchDir,
  exportMessages,
  type ImportSource,
  openImportSource,
  type SourceKind,
  scratchDir,
  streamMailboxCopy,
  writeMbox,
} from '@mailyard/transfer';
import { clientSettings } from '../client-settings.js';
import { field } from '../form-body.js';
import { html } from '../html.js';
import { unlockMailbox } from '../mailbox-unlock.js';
import { render } from '../page.js';
import { type JobKind, scratchBases } from '../transfer-jobs.js';
import { readUpload, type Upload, type UploadedFile } from '../uploads.js';
import { address, passwordIssuedView } from '../views/aliases.js';
import { type BackupSection, backupPath, backupView, jobPath, jobView, restoreNewView } from '../views/backup.js';
import { ownAlias, ownDomain, type WebContext, type WebRouteDeps, type WebRouter } from '../web-context.js';

/** Seconds between refreshes of a running import's status page (the Refresh header; the page has no script). */
const REFRESH_SECONDS = 2;
const FOLDER_MAX = 200;

const NOT_A_COPY =
  'This file is not an encrypted copy made by Mailyard (a zip holding mailbox.keys.json and mailbox.db).';

/** The HTTP status a refused form gets. */
function statusOf(err: UserError): number {
  if (err instanceof MessageTooLargeError) return 413;
  if (err instanceof PermissionError) return 403;
  if (err instanceof NotFoundError) return 404;
  return 400;
}

/** A file name for Content-Disposition: the address with anything but [A-Za-z0-9._@-] replaced. */
function downloadName(domain: Domain, alias: Alias, ext: string): string {
  return `${alias.name}@${domain.name}`.replace(/[^A-Za-z0-9._@-]/g, '_') + ext;
}

export function registerBackupRoutes(router: WebRouter, deps: WebRouteDeps): void {
  // This process's scratch directories: what a crash leaves there is removed when the next process starts.
  const bases = scratchBases(deps.config.dataDir);
  const uploads = scratchDir(bases.uploads);
  const maxBytes = deps.config.web.uploadMaxBytes;
  const jobs = deps.transferJobs;

  const showPage = async (
    ctx: WebContext,
    domain: Domain,
    alias: Alias,
    error?: { section: BackupSection; err: UserError },
  ) => {
    const view = backupView({
      domain,
      alias,
      csrf: ctx.state.csrf,
      jobs: alias.mailboxId ? await jobs.forMailbox(alias.mailboxId) : [],
      maxBytes,
      error: error ? { section: error.section, text: error.err.message } : undefined,
    });
    render(ctx, `Backup of ${address(alias, domain)}`, view, error ? statusOf(error.err) : 200);
  };

  /** The alias of the URL, which must have a mailbox. */
  const mailboxAlias = async (ctx: WebContext) => {
    const found = await ownAlias(ctx, deps);
    if (!found.alias.mailboxId) throw new NotFoundError('This alias has no mailbox: give it a password first.');
    return { ...found, mailboxId: found.alias.mailboxId };
  };

  /** Unlocks the mailbox with the typed password; a wrong one counts as a failed login (mailbox-unlock.ts). */
  const unlock = (ctx: WebContext, domain: Domain, alias: Alias, password: string): Promise<MailboxSession> =>
    unlockMailbox(ctx, deps, domain, alias, password);

  /** Reads an upload form; its errors (CSRF, too large) are shown on the page instead of the error page. */
  const upload = async (ctx: WebContext): Promise<Upload> =>
    readUpload(ctx, { csrfKey: deps.csrfKey, dir: uploads, maxBytes });

  const requireFile = (file: UploadedFile | null): UploadedFile => {
    if (!file || file.size === 0) throw new ValidationError('Choose a file to upload.');
    return file;
  };

  const kindOf = async (file: UploadedFile): Promise<SourceKind> => {
    try {
      return await detectSource(file.path);
    } catch (err) {
      throw new ValidationError(`The file could not be read: ${(err as Error).message}`);
    }
  };

  /** Opens an encrypted copy with the backup's password; a wrong one is the person's error, not a failed login. */
  const openCopy = async (file: UploadedFile, password: string): Promise<ImportSource> => {
    if (!password) throw new ValidationError('Enter the password of the mailbox the backup was made from.');
    try {
      return await openImportSource(file.path, { kind: 'copy', copySecret: () => ({ password }), workDir: uploads });
    } catch (err) {
      if (err instanceof AuthenticationError) {
        throw new PermissionError('The backup does not open with this password.');
      }
      throw new ValidationError(`The backup could not be read: ${(err as Error).message}`);
    }
  };

  const startJob = (o: {
    kind: JobKind;
    mailboxId: string;
    file: UploadedFile;
    session: MailboxSession;
    source: ImportSource;
  }) =>
    jobs.start({
      kind: o.kind,
      mailboxId: o.mailboxId,
      fileName: o.file.name,
      session: o.session,
      source: o.source,
      upload: o.file.path,
    });

  /**
   * Runs an upload form: on a user error the uploaded file is deleted and the page shows the message above the
   * form; anything else goes to the error page (the file deleted all the same).
   */
  const withUpload = async (
    ctx: WebContext,
    section: BackupSection,
    domain: Domain,
    alias: Alias,
    work: (form: Upload) => Promise<void>,
  ) => {
    let form: Upload | null = null;
    try {
      form = await upload(ctx);
      await work(form);
    } catch (err) {
      if (form?.file) await rm(form.file.path, { force: true });
      if (!(err instanceof UserError) || err instanceof RateLimitError) throw err;
      await showPage(ctx, domain, alias, { section, err });
    }
  };

  router.get('/domains/:domain/aliases/:alias/backup', async (ctx: WebContext) => {
    const { domain, alias } = await mailboxAlias(ctx);
    await showPage(ctx, domain, alias);
  });

  router.post('/domains/:domain/aliases/:alias/backup/download', async (ctx: WebContext) => {
    const { domain, alias } = await mailboxAlias(ctx);
    const format = field(ctx.state.form, 'format');
    let session: MailboxSession;
    try {
      if (format !== 'sqlite' && format !== 'mbox') throw new ValidationError('Choose the encrypted copy or mbox.');
      session = await unlock(ctx, domain, alias, ctx.state.form.get('password') ?? '');
    } catch (err) {
      if (!(err instanceof UserError) || err instanceof RateLimitError) throw err;
      return await showPage(ctx, domain, alias, { section: 'download', err });
    }
    ctx.set('Cache-Control', 'no-store');
    if (format === 'sqlite') {
      try {
        const copy = await streamMailboxCopy(session, await ensureScratchDir(bases.copies));
        ctx.set('Content-Disposition', `attachment; filename="${downloadName(domain, alias, '.mailyard-copy.zip')}"`);
        ctx.type = 'application/zip';
        ctx.length = copy.size;
        ctx.body = copy.stream;
      } finally {
        session.close();
      }
      return;
    }
    // The mbox is written as it is sent; the session closes when the stream does (sent, or the download cut).
    const stream = Readable.from(writeMbox(exportMessages(session)));
    stream.once('close', () => session.close());
    ctx.set('Content-Disposition', `attachment; filename="${downloadName(domain, alias, '.mbox')}"`);
    ctx.type = 'application/mbox';
    ctx.body = stream;
  });

  router.post('/domains/:domain/aliases/:alias/backup/import', async (ctx: WebContext) => {
    const { domain, alias, mailboxId } = await mailboxAlias(ctx);
    await withUpload(ctx, 'import', domain, alias, async ({ fields, file: uploaded }) => {
      const file = requireFile(uploaded);
      const folder = field(fields, 'folder') || 'INBOX';
      if (folder.length > FOLDER_MAX) throw new ValidationError(`The folder name is over ${FOLDER_MAX} characters.`);
      const kind = await kindOf(file);
      if (kind === 'copy') {
        throw new ValidationError('This is an encrypted copy: restore it with the form "Restore a backup" below.');
      }
      const session = await unlock(ctx, domain, alias, fields.get('password') ?? '');
      let source: ImportSource;
      try {
        source = await openImportSource(file.path, { kind, folder, workDir: uploads });
      } catch (err) {
        session.close();
        throw new ValidationError(`The file could not be read: ${(err as Error).message}`);
      }
      const job = await startJob({ kind: 'import', mailboxId, file, session, source });
      ctx.redirect(jobPath(domain, alias, job));
      ctx.status = 303;
    });
  });

  router.post('/domains/:domain/aliases/:alias/backup/restore', async (ctx: WebContext) => {
    const { domain, alias, mailboxId } = await mailboxAlias(ctx);
    await withUpload(ctx, 'restore', domain, alias, async ({ fields, file: uploaded }) => {
      const file = requireFile(uploaded);
      if ((await kindOf(file)) !== 'copy') throw new ValidationError(NOT_A_COPY);
      const password = fields.get('password') ?? '';
      const session = await unlock(ctx, domain, alias, password);
      let source: ImportSource;
      try {
        source = await openCopy(file, fields.get('backup_password') || password);
      } catch (err) {
        session.close();
        throw err;
      }
      const job = await startJob({ kind: 'restore', mailboxId, file, session, source });
      ctx.redirect(jobPath(domain, alias, job));
      ctx.status = 303;
    });
  });

  router.get('/domains/:domain/aliases/:alias/backup/jobs/:job', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const job = alias.mailboxId ? await jobs.get(ctx.params.job ?? '', alias.mailboxId) : undefined;
    if (!job) {
      throw new NotFoundError('No such import here: statuses are kept for a day. Mail it imported stays.');
    }
    const finished = job.state !== 'queued' && job.state !== 'running';
    if (!finished) ctx.set('Refresh', String(REFRESH_SECONDS));
    const title = `${job.kind === 'restore' ? 'Restore' : 'Import'} into ${address(alias, domain)}`;
    render(ctx, title, jobView({ domain, alias, job }));
  });

  router.get('/domains/:domain/restore', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    render(ctx, 'Restore a backup into a new alias', restoreNewView({ domain, csrf: ctx.state.csrf, maxBytes }));
  });

  router.post('/domains/:domain/restore', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    let form: Upload | null = null;
    let source: ImportSource | null = null;
    try {
      form = await upload(ctx);
      const name = field(form.fields, 'name');
      if (!name) throw new ValidationError('Give the new alias a name, such as jane.');
      if (name === '*') throw new ValidationError('The catch-all cannot have a mailbox.');
      const file = requireFile(form.file);
      if ((await kindOf(file)) !== 'copy') throw new ValidationError(NOT_A_COPY);
      // The backup opens before anything is created: a wrong password leaves no alias behind.
      source = await openCopy(file, form.fields.get('backup_password') ?? '');
      const alias = await deps.control.createAlias(domain.id, { name, hasImap: true, isEnabled: true });
      let issued: Awaited<ReturnType<typeof issueMailboxPassword>>;
      let session: MailboxSession;
      try {
        issued = await issueMailboxPassword(deps.control, deps.mailstore, alias, {});
        session = await deps.mailstore.open(issued.mailboxId, issued.password);
      } catch (err) {
        const removed = await deps.control.deleteAlias(domain.id, alias.id);
        if (removed?.mailboxId) await deps.mailstore.deleteMailbox(removed.mailboxId);
        throw err;
      }
      const created = { ...alias, mailboxId: issued.mailboxId };
      const opened = source;
      source = null;
      const job = await startJob({ kind: 'restore', mailboxId: issued.mailboxId, file, session, source: opened });
      const view = html`<p class="flash flash-ok" role="status">The restore has started:
          <a href="${jobPath(domain, created, job)}" id="restore-status">follow it here</a>.</p>
        ${passwordIssuedView({
          domain,
          alias: created,
          username: `${alias.name}@${domain.name}`,
          password: issued.password,
          recoveryKey: issued.recoveryKey,
          settings: clientSettings(deps.config),
        })}
        <p><a href="${backupPath(domain, created)}">Backup page of the new mailbox</a></p>`;
      render(ctx, `Restoring into ${address(created, domain)}`, view, 201);
    } catch (err) {
      await source?.close();
      if (form?.file) await rm(form.file.path, { force: true });
      if (!(err instanceof UserError) || err instanceof RateLimitError) throw err;
      const view = restoreNewView({
        domain,
        csrf: ctx.state.csrf,
        maxBytes,
        form: { name: form ? field(form.fields, 'name') : '' },
        error: err.message,
      });
      render(ctx, 'Restore a backup into a new alias', view, statusOf(err));
    }
  });
}
