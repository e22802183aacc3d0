/**
 * Alias list with search, label filter and paging, the alias page (settings, recipient verification status and
 * mailbox password) and the password shown once.
 */
import { RESEND_INTERVAL_MS } from '@mailyard/api';
import { type Alias, type Domain, domainToDisplay, type Page, type RecipientVerification } from '@mailyard/control';
import type { ServerSetting } from '../client-settings.js';
import { html, type SafeHtml } from '../html.js';
import { aliasPath, domainPath } from '../web-context.js';
import {
  actionButton,
  checkboxInput,
  csrfInput,
  dateTime,
  errorBox,
  pager,
  selectInput,
  textArea,
  textInput,
} from './forms.js';

export interface AliasForm {
  name: string;
  recipients: string;
  hasImap: boolean;
  isEnabled: boolean;
  description: string;
  /** Comma- or space-separated. */
  labels: string;
  /** '250', '421' or '550'. */
  errorCodeIfDisabled: string;
  /** External forwarding addresses get mail only once they confirm an emailed link. */
  hasRecipientVerification: boolean;
}

/** The answers a disabled alias can give, as the select shows them. */
export const DISABLED_ANSWER_OPTIONS = ['250 accept and drop', '421 ask to retry later', '550 refuse'];

const RESEND_MINUTES = RESEND_INTERVAL_MS / 60_000;

export const address = (alias: Alias, domain: Domain) => `${alias.name}@${domainToDisplay(domain.name)}`;

function labelLinks(alias: Alias, domain: Domain): SafeHtml | string {
  const path = `${domainPath(domain)}/aliases`;
  if (alias.labels.length === 0) return '—';
  return html`${alias.labels.map(
    (label, i) => html`${i > 0 ? ', ' : ''}<a href="${path}?label=${encodeURIComponent(label)}">${label}</a>`,
  )}`;
}

function aliasRow(alias: Alias, domain: Domain): SafeHtml {
  return html`<tr>
    <td data-label="Address"><a href="${aliasPath(domain, alias)}">${address(alias, domain)}</a></td>
    <td data-label="Labels">${labelLinks(alias, domain)}</td>
    <td data-label="Forwards to">${alias.recipients.join(', ') || '—'}</td>
    <td data-label="Mailbox">${alias.hasImap ? (alias.mailboxId ? 'yes' : 'on, no password yet') : 'off'}</td>
    <td data-label="Enabled">${alias.isEnabled ? 'yes' : 'no'}</td>
    <td data-label="Description">${alias.description}</td>
  </tr>`;
}

function aliasFields(form: Partial<AliasForm>, withName: boolean): SafeHtml {
  return html`${
    withName
      ? textInput({
          label: 'Name (the part before @)',
          name: 'name',
          value: form.name,
          required: true,
          maxlength: 130,
          hint: 'Use * for a catch-all, sales* for a wildcard, /^support-\\d+$/ for a regular expression.',
        })
      : ''
  }
    ${textArea({
      label: 'Forward to (optional)',
      name: 'recipients',
      value: form.recipients,
      hint: 'Addresses that get a copy, one per line or separated by commas.',
    })}
    ${checkboxInput({ label: 'Mailbox (keep mail here, read it with IMAP or POP3)', name: 'has_imap', checked: form.hasImap ?? true })}
    ${checkboxInput({ label: 'Enabled (accept mail for this address)', name: 'is_enabled', checked: form.isEnabled ?? true })}
    ${selectInput({
      label: 'While disabled, answer senders',
      name: 'error_code_if_disabled',
      value: DISABLED_ANSWER_OPTIONS.find((o) => o.startsWith(form.errorCodeIfDisabled ?? '250')) ?? '',
      options: DISABLED_ANSWER_OPTIONS,
    })}
    ${checkboxInput({
      label: 'Ask external forwarding addresses to confirm',
      name: 'has_recipient_verification',
      checked: form.hasRecipientVerification ?? false,
      hint: 'Each address at another domain is emailed a link; nothing is forwarded to it until its owner confirms with the button on the page the link opens. On for every alias when the domain says so (domain settings).',
    })}
    ${textInput({ label: 'Labels (optional)', name: 'labels', value: form.labels, hint: 'Short tags separated by commas.' })}
    ${textArea({ label: 'Description (optional)', name: 'description', value: form.description, rows: 2 })}`;
}

export function aliasesView(o: {
  domain: Domain;
  page: Page<Alias>;
  search: string;
  /** The label the list is filtered by ('' for none). */
  label: string;
  csrf: string;
  form?: Partial<AliasForm>;
  error?: string;
}): SafeHtml {
  const path = `${domainPath(o.domain)}/aliases`;
  const query = { ...(o.search ? { q: o.search } : {}), ...(o.label ? { label: o.label } : {}) };
  const table =
    o.page.total === 0
      ? html`<p>${o.search || o.label ? 'No alias matches that search.' : 'No aliases yet.'}</p>`
      : html`<div class="table-wrap"><table class="stack">
    <caption>Aliases (${o.page.total})</caption>
    <thead><tr><th scope="col">Address</th><th scope="col">Labels</th><th scope="col">Forwards to</th><th scope="col">Mailbox</th>
      <th scope="col">Enabled</th><th scope="col">Description</th></tr></thead>
    <tbody>${o.page.items.map((alias) => aliasRow(alias, o.domain))}</tbody></table></div>
    ${pager({ path, page: o.page.page, total: o.page.total, limit: o.page.limit, query })}`;
  return html`<p><a href="${domainPath(o.domain)}">Back to ${domainToDisplay(o.domain.name)}</a></p>
  <form method="get" action="${path}" class="search" role="search">
    ${textInput({ label: 'Search aliases', name: 'q', type: 'search', value: o.search })}
    ${o.label ? html`<input type="hidden" name="label" value="${o.label}">` : ''}
    <button type="submit">Search</button>
  </form>
  ${o.label ? html`<p>Aliases labelled <strong>${o.label}</strong> (<a href="${path}">all aliases</a>).</p>` : ''}
  ${table}
  <h2 id="add-alias">Add an alias</h2>
  ${errorBox(o.error)}
  <form method="post" action="${path}" class="card" aria-labelledby="add-alias">
    ${csrfInput(o.csrf)}
    ${aliasFields(o.form ?? {}, true)}
    <button type="submit">Add alias</button>
  </form>
  <p><a href="${domainPath(o.domain)}/restore">Create an alias from a backup</a> (restore an encrypted copy into a new
    mailbox).</p>`;
}

function passwordSection(o: { domain: Domain; alias: Alias; csrf: string }): SafeHtml {
  const action = `${aliasPath(o.domain, o.alias)}/password`;
  if (o.alias.name === '*') return html`<p>The catch-all cannot have a mailbox of its own: forward it instead.</p>`;
  if (o.alias.patternKind !== 'exact') return html`<p>A pattern alias cannot have a mailbox: forward it instead.</p>`;
  if (!o.alias.mailboxId) {
    return html`<p>This alias has no mailbox password yet. Generating one creates the mailbox; the password is
      shown once.</p>
      ${actionButton({ action, csrf: o.csrf, label: 'Generate password' })}`;
  }
  return html`<p>Mail is encrypted with the mailbox password, so the server cannot set a new one on its own:
    give the current password or the recovery key.</p>
  <form method="post" action="${action}" class="card">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Current mailbox password', name: 'password', type: 'password', autocomplete: 'off' })}
    ${textInput({ label: 'or the recovery key', name: 'recovery_key', type: 'text', autocomplete: 'off' })}
    <button type="submit">Generate a new password</button>
  </form>`;
}

export function aliasView(o: {
  domain: Domain;
  alias: Alias;
  csrf: string;
  form?: AliasForm;
  error?: string;
  /** The domain's spam filter settings in force for this alias's mail (shown on the plain GET of the page). */
  spam?: SafeHtml;
  /** The external forwards under recipient verification. */
  verifications?: RecipientVerification[];
  /** Storage used and its limits (views/quotas.ts), for an alias with a mailbox. */
  storage?: SafeHtml | '';
}): SafeHtml {
  const path = aliasPath(o.domain, o.alias);
  const form: AliasForm = o.form ?? {
    name: o.alias.name,
    recipients: o.alias.recipients.join('\n'),
    hasImap: o.alias.hasImap,
    isEnabled: o.alias.isEnabled,
    description: o.alias.description,
    labels: o.alias.labels.join(', '),
    errorCodeIfDisabled: String(o.alias.errorCodeIfDisabled),
    hasRecipientVerification: o.alias.hasRecipientVerification,
  };
  return html`<p><a href="${domainPath(o.domain)}/aliases">Back to the aliases of ${domainToDisplay(o.domain.name)}</a></p>
  ${o.alias.description ? html`<p class="description">${o.alias.description}</p>` : ''}
  <h2 id="settings">Settings</h2>
  ${errorBox(o.error)}
  <form method="post" action="${path}" class="card" aria-labelledby="settings">
    ${csrfInput(o.csrf)}
    ${aliasFields(form, false)}
    <button type="submit">Save alias</button>
  </form>
  ${o.storage ?? ''}
  ${verificationSection(o, o.verifications ?? [])}
  <h2>Mailbox password</h2>
  ${passwordSection(o)}
  ${
    o.alias.mailboxId
      ? html`<h2>Backup and import</h2>
  <p><a href="${path}/backup">Download a backup, import mail or restore a backup</a></p>`
      : ''
  }
  <h2>Filters and vacation reply</h2>
  <p><a href="${path}/sieve">Sieve filters, vacation reply and script editor</a></p>
  ${o.spam ?? ''}
  <h2>Delete</h2>
  <p><a href="${path}/delete">Delete this alias</a>${o.alias.mailboxId ? ' and its mailbox with all its mail' : ''}.</p>`;
}

/** Where each external forward stands, with a button to email a new link to one that has not confirmed. */
function verificationSection(
  o: { domain: Domain; alias: Alias; csrf: string },
  rows: RecipientVerification[],
): SafeHtml | string {
  if (!o.alias.hasRecipientVerification && !o.domain.hasRecipientVerification) return '';
  const action = `${aliasPath(o.domain, o.alias)}/verifications/resend`;
  const resend = (recipient: string) => html`<form method="post" action="${action}" class="inline">
    ${csrfInput(o.csrf)}<input type="hidden" name="recipient" value="${recipient}">
    <button type="submit">Send the link again</button></form>`;
  const body = rows.map(
    (v) => html`<tr><td data-label="Recipient">${v.recipient}</td><td data-label="Asked">${dateTime(v.sentAt)}</td>
      <td data-label="Confirmed">${v.verifiedAt ? dateTime(v.verifiedAt) : html`not yet: nothing is forwarded to it ${resend(v.recipient)}`}</td></tr>`,
  );
  return html`<h2>Recipient verification</h2>
  <p>External forwarding addresses get mail only after they confirm on the page of the link emailed to them when the
    alias was saved (opening the link alone changes nothing). A new link can be sent every ${String(RESEND_MINUTES)} minutes; the one sent before then stops working.</p>
  ${
    rows.length === 0
      ? html`<p>No external forwarding address to confirm.</p>`
      : html`<div class="table-wrap"><table class="stack"><caption>Forwarding addresses</caption>
    <thead><tr><th scope="col">Recipient</th><th scope="col">Asked</th><th scope="col">Confirmed</th></tr></thead>
    <tbody>${body}</tbody></table></div>`
  }`;
}

function settingsTable(settings: ServerSetting[], username: string): SafeHtml {
  const rows = settings.map(
    (s) => html`<tr><td data-label="Protocol">${s.protocol}</td><td data-label="Server" class="value">${s.host}</td>
      <td data-label="Port">${s.port}</td><td data-label="Security">${s.security}</td>
      <td data-label="User name" class="value">${username}</td></tr>`,
  );
  return html`<div class="table-wrap"><table class="stack">
    <caption>Mail client settings (password authentication)</caption>
    <thead><tr><th scope="col">Protocol</th><th scope="col">Server</th><th scope="col">Port</th>
      <th scope="col">Security</th><th scope="col">User name</th></tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}

export function passwordIssuedView(o: {
  domain: Domain;
  alias: Alias;
  username: string;
  password: string;
  recoveryKey?: string;
  settings: ServerSetting[];
}): SafeHtml {
  return html`<p class="flash flash-ok" role="status">Copy the password now: it is shown only on this page.</p>
  <dl class="card">
    <dt>Address</dt><dd>${address(o.alias, o.domain)}</dd>
    <dt>User name</dt><dd><code id="mailbox-username">${o.username}</code></dd>
    <dt>Password</dt><dd><p class="secret" id="mailbox-password">${o.password}</p></dd>
    ${
      o.recoveryKey
        ? html`<dt>Recovery key</dt><dd><p class="secret" id="recovery-key">${o.recoveryKey}</p>
      <p class="hint">Keep it somewhere safe. Without the password and this key the mail cannot be read, not even
      by the server.</p></dd>`
        : ''
    }
  </dl>
  ${settingsTable(o.settings, o.username)}
  <p>Thunderbird and Outlook can also find these settings themselves from the address.</p>
  <p><a href="${aliasPath(o.domain, o.alias)}">Back to the alias</a></p>`;
}

export function deleteAliasView(o: { domain: Domain; alias: Alias; csrf: string }): SafeHtml {
  const path = aliasPath(o.domain, o.alias);
  const warning = o.alias.mailboxId ? ' Its mailbox and all its mail are deleted too.' : '';
  return html`<p class="flash flash-error" role="alert">Mail to ${address(o.alias, o.domain)} will be refused.${warning}
    This cannot be undone.</p>
  <div class="actions">
    ${actionButton({ action: `${path}/delete`, csrf: o.csrf, label: 'Delete alias', danger: true })}
    <a href="${path}">Cancel</a>
  </div>`;
}
