/** The backup page of an alias's mailbox (download, import, restore), an import's status, and restore into a new alias. */
import { type Alias, type Domain, domainToDisplay } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import type { JobStatus } from '../transfer-jobs.js';
import { aliasPath, domainPath } from '../web-context.js';
import { address } from './aliases.js';
import { csrfInput, dateTime, errorBox, statusBadge } from './forms.js';

/** Which form an error message belongs to, so it is shown above that form. */
export type BackupSection = 'download' | 'import' | 'restore';

/** Skipped messages named on the status page; the rest are counted. */
const SKIPPED_SHOWN = 50;

export const backupPath = (domain: Domain, alias: Alias) => `${aliasPath(domain, alias)}/backup`;
export const jobPath = (domain: Domain, alias: Alias, job: JobStatus) => `${backupPath(domain, alias)}/jobs/${job.id}`;
export const restoreNewPath = (domain: Domain) => `${domainPath(domain)}/restore`;

function mebibytes(bytes: number): string {
  return `${Math.floor(bytes / 1024 / 1024)} MiB`;
}

/** An input with its own id (several forms on one page each have a password field). */
function input(o: {
  id: string;
  name: string;
  label: string;
  type: 'password' | 'text' | 'file';
  hint?: string;
  required?: boolean;
  accept?: string;
  value?: string;
}): SafeHtml {
  return html`<div class="field">
    <label for="${o.id}">${o.label}</label>
    <input id="${o.id}" name="${o.name}" type="${o.type}"${o.type === 'password' ? html` autocomplete="off"` : ''}${
      o.required ? html` required` : ''
    }${o.accept ? html` accept="${o.accept}"` : ''}${o.value !== undefined ? html` value="${o.value}"` : ''}${
      o.hint ? html` aria-describedby="${o.id}-hint"` : ''
    }>
    ${o.hint ? html`<span class="hint" id="${o.id}-hint">${o.hint}</span>` : ''}
  </div>`;
}

function jobRows(domain: Domain, alias: Alias, jobs: JobStatus[]): SafeHtml {
  if (jobs.length === 0) return html``;
  const rows = jobs.map(
    (job) => html`<tr>
      <td data-label="Started">${dateTime(job.startedAt)}</td>
      <td data-label="What">${job.kind === 'restore' ? 'restore' : 'import'} of ${job.fileName}</td>
      <td data-label="Status"><a href="${jobPath(domain, alias, job)}">${statusBadge(job.state)}</a></td>
      <td data-label="Imported">${job.imported}</td>
      <td data-label="Duplicates skipped">${job.duplicates}</td>
    </tr>`,
  );
  return html`<h2>Recent imports and restores</h2>
  <div class="table-wrap"><table class="stack">
    <caption>Imports and restores of the last hour (in this dashboard process)</caption>
    <thead><tr><th scope="col">Started</th><th scope="col">What</th><th scope="col">Status</th>
      <th scope="col">Imported</th><th scope="col">Duplicates skipped</th></tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}

/**
 * One of the backup page's upload forms (import, restore) under its heading and its error: the mailbox password
 * first, then the form's own fields, then the file (multipart, so the upload streams; the CSRF token comes first).
 */
function uploadSection(o: {
  section: 'import' | 'restore';
  heading: string;
  action: string;
  csrf: string;
  error: SafeHtml;
  fields: SafeHtml[];
  file: { label: string; hint: string; accept?: string };
  submit: string;
}): SafeHtml {
  const password = `f-${o.section}-password`;
  return html`<h2 id="${o.section}">${o.heading}</h2>
  ${o.error}
  <form method="post" action="${o.action}" enctype="multipart/form-data" class="card" aria-labelledby="${o.section}">
    ${csrfInput(o.csrf)}
    ${input({ id: password, name: 'password', label: 'Mailbox password', type: 'password', required: true })}
    ${o.fields}
    ${input({ id: `f-${o.section}-file`, name: 'file', type: 'file', required: true, ...o.file })}
    <button type="submit">${o.submit}</button>
  </form>`;
}

export function backupView(o: {
  domain: Domain;
  alias: Alias;
  csrf: string;
  jobs: JobStatus[];
  maxBytes: number;
  error?: { section: BackupSection; text: string };
}): SafeHtml {
  const path = backupPath(o.domain, o.alias);
  const errorFor = (section: BackupSection) => errorBox(o.error?.section === section ? o.error.text : undefined);
  const limit = mebibytes(o.maxBytes);
  return html`<p><a href="${aliasPath(o.domain, o.alias)}">Back to ${address(o.alias, o.domain)}</a></p>
  <p>Mail in this mailbox is encrypted with its password, so each form here asks for it. It is used for that one
    request (or that one import) and never kept.</p>
  <h2 id="download">Download a backup</h2>
  ${errorFor('download')}
  <form method="post" action="${path}/download" class="card" aria-labelledby="download">
    ${csrfInput(o.csrf)}
    ${input({ id: 'f-download-password', name: 'password', label: 'Mailbox password', type: 'password', required: true })}
    <p class="hint">The encrypted copy is the whole mailbox (folders, flags, dates) as the server stores it: it opens
      only with this mailbox's password or its recovery key, and restores below or with <code>mailyard import</code>.
      The mbox file opens in any mail program and is not encrypted: keep it somewhere safe.</p>
    <div class="actions">
      <button type="submit" name="format" value="sqlite">Download the encrypted copy</button>
      <button type="submit" name="format" value="mbox">Download as mbox</button>
    </div>
  </form>
  ${uploadSection({
    section: 'import',
    heading: 'Import mail',
    action: `${path}/import`,
    csrf: o.csrf,
    error: errorFor('import'),
    fields: [
      input({
        id: 'f-import-folder',
        name: 'folder',
        label: 'Folder for messages the file does not place (optional)',
        type: 'text',
        value: 'INBOX',
      }),
    ],
    file: {
      label: 'File to import',
      hint: `An mbox file, one .eml message, or a zip of .eml files or of a Maildir (cur/ and new/ folders), up to ${limit}. Messages already in their folder (same Message-ID and size) are skipped.`,
    },
    submit: 'Import',
  })}
  ${uploadSection({
    section: 'restore',
    heading: 'Restore a backup into this mailbox',
    action: `${path}/restore`,
    csrf: o.csrf,
    error: errorFor('restore'),
    fields: [
      input({
        id: 'f-restore-backup-password',
        name: 'backup_password',
        label: 'Password of the mailbox the backup was made from (empty: the same as this one)',
        type: 'password',
      }),
    ],
    file: {
      label: 'Encrypted copy',
      accept: '.zip',
      hint: `The encrypted copy downloaded above (…mailyard-copy.zip), up to ${limit}. Its messages are added with their folders, flags and dates; those already here are skipped.`,
    },
    submit: 'Restore',
  })}
  <p>To restore a backup into a new mailbox instead, <a href="${restoreNewPath(o.domain)}">create an alias from a
    backup</a>.</p>
  ${jobRows(o.domain, o.alias, o.jobs)}`;
}

function skippedList(job: JobStatus): SafeHtml {
  if (job.skipped.length === 0) return html``;
  const shown = job.skipped.slice(0, SKIPPED_SHOWN).map((s) => html`<li><code>${s.source}</code>: ${s.reason}</li>`);
  const more = job.skipped.length - SKIPPED_SHOWN;
  return html`<h2>Not imported (${job.skipped.length})</h2>
  <ul class="skipped">${shown}${more > 0 ? html`<li>… and ${more} more</li>` : ''}</ul>`;
}

export function jobView(o: { domain: Domain; alias: Alias; job: JobStatus }): SafeHtml {
  const { job } = o;
  const finished = job.state !== 'queued' && job.state !== 'running';
  const progress = finished
    ? html``
    : html`<p role="status">${job.state === 'queued' ? 'Waiting to start.' : `${job.read} messages read so far.`}
      This page refreshes itself; <a href="${jobPath(o.domain, o.alias, job)}">refresh now</a>.</p>`;
  return html`<p><a href="${backupPath(o.domain, o.alias)}">Back to the backup page of ${address(o.alias, o.domain)}</a></p>
  <dl class="card" id="job">
    <dt>File</dt><dd>${job.fileName}</dd>
    <dt>Status</dt><dd>${statusBadge(job.state)}</dd>
    <dt>Started</dt><dd>${dateTime(job.startedAt)}</dd>
    ${finished ? html`<dt>Finished</dt><dd>${dateTime(job.finishedAt)}</dd>` : ''}
    <dt>Imported</dt><dd id="job-imported">${job.imported}</dd>
    <dt>Duplicates skipped</dt><dd id="job-duplicates">${job.duplicates}</dd>
    <dt>Not imported</dt><dd id="job-skipped">${job.skipped.length}</dd>
    ${job.foldersCreated.length > 0 ? html`<dt>Folders created</dt><dd>${job.foldersCreated.join(', ')}</dd>` : ''}
  </dl>
  ${job.error ? errorBox(job.error) : ''}
  ${progress}
  ${skippedList(job)}`;
}

export interface RestoreNewForm {
  name: string;
}

export function restoreNewView(o: {
  domain: Domain;
  csrf: string;
  maxBytes: number;
  form?: RestoreNewForm;
  error?: string;
}): SafeHtml {
  return html`<p><a href="${domainPath(o.domain)}/aliases">Back to the aliases of ${domainToDisplay(o.domain.name)}</a></p>
  <p>A new alias with a mailbox is created and the backup's messages are restored into it, with their folders,
    flags and dates. The new mailbox gets a new password and recovery key, shown once when it is created.</p>
  ${errorBox(o.error)}
  <form method="post" action="${restoreNewPath(o.domain)}" enctype="multipart/form-data" class="card">
    ${csrfInput(o.csrf)}
    ${input({
      id: 'f-restore-name',
      name: 'name',
      label: `Name of the new alias (the part before @${domainToDisplay(o.domain.name)})`,
      type: 'text',
      required: true,
      value: o.form?.name ?? '',
    })}
    ${input({
      id: 'f-restore-backup-password',
      name: 'backup_password',
      label: 'Password of the mailbox the backup was made from',
      type: 'password',
      required: true,
    })}
    ${input({
      id: 'f-restore-file',
      name: 'file',
      label: 'Encrypted copy',
      type: 'file',
      required: true,
      accept: '.zip',
      hint: `An encrypted copy downloaded from a backup page (…mailyard-copy.zip), up to ${mebibytes(o.maxBytes)}.`,
    })}
    <button type="submit">Create the alias and restore</button>
  </form>`;
}
