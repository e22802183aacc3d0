/** Domain list, the domain page with the DNS records to publish (and their check), and the delete confirmation. */
import { type CheckedRecord, type DnsRecord, type Domain, domainToDisplay, type Page } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { domainPath } from '../web-context.js';
import {
  actionButton,
  checkboxInput,
  csrfInput,
  dateTime,
  errorBox,
  pager,
  selectInput,
  statusBadge,
  textArea,
  textInput,
} from './forms.js';

const DMARC_POLICIES = ['none', 'quarantine', 'reject'];

const PURPOSES: Record<string, string> = {
  mx: 'Mail exchanger',
  spf: 'SPF (who may send)',
  dkim: 'DKIM signing key',
  dmarc: 'DMARC policy',
  verification: 'Ownership',
};

export interface DomainForm {
  name?: string;
  description?: string;
  dmarcPolicy?: string;
}

/** Whether the domain receives mail: only verified domains are hosted for routing. */
function receivesMail(domain: Domain): SafeHtml {
  return domain.verifiedAt
    ? html`<span class="status status-ok">receives mail</span>`
    : html`<span class="status status-missing">not verified</span>`;
}

function domainRow(domain: Domain): SafeHtml {
  const verified = domain.lastDnsCheck ? (domain.lastDnsCheck.allOk ? 'ok' : 'wrong') : 'missing';
  const label = domain.lastDnsCheck ? (domain.lastDnsCheck.allOk ? 'ok' : 'needs attention') : 'not checked';
  return html`<tr>
    <td data-label="Domain"><a href="${domainPath(domain)}">${domainToDisplay(domain.name)}</a></td>
    <td data-label="Description">${domain.description}</td>
    <td data-label="Mail">${receivesMail(domain)}</td>
    <td data-label="DNS"><span class="status status-${verified}">${label}</span></td>
    <td data-label="Added">${dateTime(domain.createdAt)}</td>
  </tr>`;
}

export function domainsView(o: { page: Page<Domain>; csrf: string; form?: DomainForm; error?: string }): SafeHtml {
  const table =
    o.page.total === 0
      ? html`<p>No domains yet. Add the domain you want to receive mail for.</p>`
      : html`<div class="table-wrap"><table class="stack">
    <caption>Your domains (${o.page.total})</caption>
    <thead><tr><th scope="col">Domain</th><th scope="col">Description</th><th scope="col">Mail</th><th scope="col">DNS</th><th scope="col">Added</th></tr></thead>
    <tbody>${o.page.items.map(domainRow)}</tbody></table></div>
    ${pager({ path: '/domains', page: o.page.page, total: o.page.total, limit: o.page.limit })}`;
  return html`${table}
  <h2 id="add-domain">Add a domain</h2>
  ${errorBox(o.error)}
  <form method="post" action="/domains" class="card" aria-labelledby="add-domain">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Domain name', name: 'name', value: o.form?.name, required: true, hint: 'For example example.com. International names are fine.' })}
    ${textArea({ label: 'Description (optional)', name: 'description', value: o.form?.description, rows: 2 })}
    ${selectInput({ label: 'DMARC policy', name: 'dmarc_policy', value: o.form?.dmarcPolicy ?? 'none', options: DMARC_POLICIES })}
    <button type="submit">Add domain</button>
  </form>`;
}

function recordRow(record: DnsRecord | CheckedRecord): SafeHtml {
  const checked = 'status' in record ? record : null;
  return html`<tr>
    <td data-label="Purpose">${PURPOSES[record.purpose] ?? record.purpose}</td>
    <td data-label="Type">${record.type}</td>
    <td data-label="Name" class="value record-name">${record.name}</td>
    <td data-label="Priority">${record.priority ?? ''}</td>
    <td data-label="Value" class="value">${record.value}</td>
    ${checked ? html`<td data-label="Status">${statusBadge(checked.status)}${foundValues(checked)}</td>` : ''}
  </tr>`;
}

function foundValues(record: CheckedRecord): SafeHtml {
  if (record.status !== 'wrong' || record.found.length === 0) return html``;
  return html`<div class="hint">Found instead: ${record.found.map((value) => html`<code>${value}</code> `)}</div>`;
}

export function recordsTable(records: Array<DnsRecord | CheckedRecord>, checked: boolean): SafeHtml {
  return html`<div class="table-wrap"><table class="stack records">
    <caption>${checked ? 'DNS records as found just now' : 'DNS records to publish'}</caption>
    <thead><tr><th scope="col">Purpose</th><th scope="col">Type</th><th scope="col">Name</th>
      <th scope="col">Priority</th><th scope="col">Value</th>${checked ? html`<th scope="col">Status</th>` : ''}</tr></thead>
    <tbody>${records.map(recordRow)}</tbody>
  </table></div>`;
}

function verification(domain: Domain): SafeHtml {
  if (domain.verifiedAt) {
    return html`<p>${receivesMail(domain)} This domain is verified${
      domain.verifiedBy === 'dns' ? ' by its ownership record; keep that record published' : ''
    }.</p>`;
  }
  return html`<p>${receivesMail(domain)} This domain receives no mail until it is verified: publish the
    <strong>Ownership</strong> record below and press <strong>Verify DNS records</strong>. Until then, mail to its
    addresses is delivered to whatever its public MX records name.</p>`;
}

function lastCheck(domain: Domain): SafeHtml {
  const check = domain.lastDnsCheck;
  if (!check) return html`<p>These records have not been checked yet.</p>`;
  return html`<p>Last checked ${dateTime(check.checkedAt)}: ${
    check.allOk ? statusBadge('ok') : html`<span class="status status-wrong">needs attention</span>`
  }</p>`;
}

export function domainView(o: {
  domain: Domain;
  records: Array<DnsRecord | CheckedRecord>;
  checked: boolean;
  csrf: string;
  error?: string;
  /** Storage used by the domain's mailboxes and its limits (views/quotas.ts). */
  storage?: SafeHtml | '';
  /** An admin member: the settings form, the webhook secret and deletion; a 'user' member sees the settings. */
  isAdmin: boolean;
}): SafeHtml {
  const { domain } = o;
  const path = domainPath(domain);
  const manage = o.isAdmin ? adminSections(o) : userSections(domain);
  return html`${domain.description ? html`<p class="description">${domain.description}</p>` : ''}
  <div class="actions">
    <a href="${path}/aliases">Aliases and mailboxes</a>
    <a href="${path}/spam">Spam filter</a>
    <a href="${path}/members">Members</a>
    ${actionButton({ action: `${path}/verify`, csrf: o.csrf, label: 'Verify DNS records' })}
  </div>
  ${verification(domain)}
  <h2>DNS records</h2>
  <p>Publish these records at your DNS provider. Names and values can be copied from the table as they are.</p>
  ${o.checked ? html`` : lastCheck(domain)}
  ${recordsTable(o.records, o.checked)}
  ${o.storage ?? ''}
  ${manage}`;
}

/** What only the domain's admins may change: its settings, the webhook secret, deletion. */
function adminSections(o: { domain: Domain; csrf: string; error?: string }): SafeHtml {
  const { domain } = o;
  const path = domainPath(domain);
  return html`<h2 id="settings">Settings</h2>
  ${errorBox(o.error)}
  <form method="post" action="${path}" class="card" aria-labelledby="settings">
    ${csrfInput(o.csrf)}
    ${textArea({ label: 'Description', name: 'description', value: domain.description, rows: 2 })}
    ${selectInput({ label: 'DMARC policy', name: 'dmarc_policy', value: domain.dmarcPolicy, options: DMARC_POLICIES })}
    ${checkboxInput({
      label: 'Every alias asks external forwarding addresses to confirm',
      name: 'has_recipient_verification',
      checked: domain.hasRecipientVerification,
      hint: 'Each address at another domain is emailed a link; nothing is forwarded to it until its owner confirms with the button on the page the link opens.',
    })}
    <button type="submit">Save settings</button>
  </form>
  <h2>Webhooks</h2>
  <p>An alias recipient may be an <code>https://</code> URL: each message then arrives there as a JSON POST signed
    with this domain's secret (header <code>X-Webhook-Signature: sha256=</code> and the HMAC-SHA256 of the body).
    The secret is shown once, when it is made; making a new one replaces the old.</p>
  ${actionButton({ action: `${path}/webhook-secret`, csrf: o.csrf, label: 'Make a new webhook secret' })}
  <h2>Delete</h2>
  <p><a href="${path}/delete">Delete this domain</a> with all its aliases and mailboxes.</p>`;
}

/** A 'user' member: the settings as they are, and who can change them. */
function userSections(domain: Domain): SafeHtml {
  return html`<h2 id="settings">Settings</h2>
  <dl class="card">
    <dt>Description</dt><dd>${domain.description || '—'}</dd>
    <dt>DMARC policy</dt><dd>${domain.dmarcPolicy}</dd>
    <dt>Recipient verification for every alias</dt><dd>${domain.hasRecipientVerification ? 'on' : 'off'}</dd>
  </dl>
  <p>You manage this domain's aliases and mailboxes as a <strong>user</strong> member. Its settings, webhook secret,
    storage limits, members and deletion are for its admins (see <a href="${domainPath(domain)}/members">Members</a>).</p>`;
}

export function webhookSecretView(o: { domain: Domain; secret: string }): SafeHtml {
  return html`<p class="flash flash-ok" role="status">Copy the secret now: it is shown only on this page.</p>
  <dl class="card">
    <dt>Domain</dt><dd>${domainToDisplay(o.domain.name)}</dd>
    <dt>Webhook secret</dt><dd><p class="secret" id="webhook-secret">${o.secret}</p></dd>
  </dl>
  <p>Every webhook POST for this domain carries <code>X-Webhook-Signature: sha256=&lt;hex&gt;</code>, the
    HMAC-SHA256 of the request body under this secret; check it before trusting the body.</p>
  <p><a href="${domainPath(o.domain)}">Back to ${domainToDisplay(o.domain.name)}</a></p>`;
}

export function deleteDomainView(o: { domain: Domain; aliasCount: number; csrf: string }): SafeHtml {
  const path = domainPath(o.domain);
  return html`<p class="flash flash-error" role="alert">Deleting ${domainToDisplay(o.domain.name)} also deletes its
    ${o.aliasCount} alias(es) and every mailbox with all its mail. This cannot be undone.</p>
  <div class="actions">
    ${actionButton({ action: `${path}/delete`, csrf: o.csrf, label: 'Delete domain and mail', danger: true })}
    <a href="${path}">Cancel</a>
  </div>`;
}
