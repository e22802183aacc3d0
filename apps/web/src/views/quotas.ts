/**
 * Storage limits and usage (docs/operations.md, "Mailbox quotas"): the summary on each alias page and on the domain
 * page, and the forms that set an alias's max_quota and max_messages and a domain's max_quota_per_alias and
 * max_quota. Sizes are entered as bytes or as "10GB" / "512 MB" (units of 1024); empty inherits or removes a limit.
 */
import { type Alias, type Domain, type DomainQuota, domainToDisplay, type EffectiveQuota } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { aliasPath, domainPath } from '../web-context.js';
import { csrfInput, errorBox, textInput } from './forms.js';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB"; whole bytes below 1 KiB. */
export function sizeText(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0).replace(/\.0$/, '');
  return `${shown} ${UNITS[unit]}`;
}

function percent(used: number, limit: number): string {
  if (limit <= 0) return used > 0 ? 'over the limit' : '0 %';
  return `${Math.min(999, Math.round((used / limit) * 100))} %`;
}

export interface AliasQuotaShown {
  maxQuota: number | null;
  maxMessages: number | null;
  effective: EffectiveQuota;
}

function usageList(q: AliasQuotaShown): SafeHtml {
  const { effective } = q;
  return html`<dl class="quota">
    <dt>Storage used</dt><dd>${sizeText(effective.usedBytes)} of ${sizeText(effective.bytes)}
      (${percent(effective.usedBytes, effective.bytes)})</dd>
    <dt>Messages</dt><dd>${String(effective.usedMessages)}${
      effective.messages === null ? ' (no limit)' : ` of at most ${effective.messages}`
    }</dd>
    <dt>Storage limit</dt><dd>${
      q.maxQuota === null ? `${sizeText(effective.mailboxBytes)} (inherited)` : sizeText(q.maxQuota)
    }</dd>
  </dl>`;
}

/** The summary an alias page shows (mailbox aliases only). */
export function aliasQuotaSummary(o: {
  domain: Domain;
  alias: Alias;
  quota: AliasQuotaShown;
  /** Only the domain's admins change limits: the link is theirs. */
  isAdmin: boolean;
}): SafeHtml {
  return html`<h2 id="storage">Storage</h2>
  ${usageList(o.quota)}
  ${o.isAdmin ? html`<p><a href="${aliasPath(o.domain, o.alias)}/quota">Change the storage and message limits</a></p>` : ''}`;
}

export interface AliasQuotaForm {
  maxQuota: string;
  maxMessages: string;
}

export function aliasQuotaView(o: {
  domain: Domain;
  alias: Alias;
  quota: AliasQuotaShown;
  csrf: string;
  form?: AliasQuotaForm;
  error?: string;
  /** The limits form for the domain's admins; a user member sees the usage and who may change it. */
  isAdmin: boolean;
}): SafeHtml {
  const path = aliasPath(o.domain, o.alias);
  if (!o.isAdmin) {
    return html`<p><a href="${path}">Back to the alias</a></p>
  ${usageList(o.quota)}
  <p>The limits are changed by the domain's admins.</p>`;
  }
  const form = o.form ?? {
    maxQuota: o.quota.maxQuota === null ? '' : String(o.quota.maxQuota),
    maxMessages: o.quota.maxMessages === null ? '' : String(o.quota.maxMessages),
  };
  return html`<p><a href="${path}">Back to the alias</a></p>
  ${usageList(o.quota)}
  <h2 id="limits">Limits</h2>
  ${errorBox(o.error)}
  <form method="post" action="${path}/quota" class="card" aria-labelledby="limits">
    ${csrfInput(o.csrf)}
    ${textInput({
      label: 'Storage limit',
      name: 'max_quota',
      value: form.maxQuota,
      maxlength: 32,
      hint: `Bytes, or a size such as 10GB or 512 MB. Empty: the domain's limit per mailbox, else the server's.`,
    })}
    ${textInput({
      label: 'Message limit',
      name: 'max_messages',
      value: form.maxMessages,
      maxlength: 20,
      hint: 'The most messages the mailbox may hold. Empty: no limit.',
    })}
    <button type="submit">Save limits</button>
  </form>
  <p>Mail already accepted is always stored; past a limit, new mail is refused until the mailbox is under it again.</p>`;
}

/** The summary on the domain page. */
export function domainQuotaSummary(o: {
  domain: Domain;
  quota: DomainQuota;
  serverDefault: number;
  /** Only the domain's admins get the link to change the limits. */
  isAdmin: boolean;
}): SafeHtml {
  const { quota } = o;
  return html`<h2 id="storage">Storage</h2>
  <dl class="quota">
    <dt>Storage used by all mailboxes</dt><dd>${sizeText(quota.storageUsed)}${
      quota.maxQuota === null ? '' : ` of ${sizeText(quota.maxQuota)} (${percent(quota.storageUsed, quota.maxQuota)})`
    }</dd>
    <dt>Messages</dt><dd>${String(quota.messageCount)}</dd>
    <dt>Limit per mailbox</dt><dd>${
      quota.maxQuotaPerAlias === null
        ? `${sizeText(o.serverDefault)} (server default)`
        : sizeText(quota.maxQuotaPerAlias)
    }</dd>
  </dl>
  ${o.isAdmin ? html`<p><a href="${domainPath(o.domain)}/quota">Change the domain's storage limits</a></p>` : ''}`;
}

export interface DomainQuotaForm {
  maxQuotaPerAlias: string;
  maxQuota: string;
}

export function domainQuotaView(o: {
  domain: Domain;
  quota: DomainQuota;
  serverDefault: number;
  csrf: string;
  form?: DomainQuotaForm;
  error?: string;
}): SafeHtml {
  const path = domainPath(o.domain);
  const form = o.form ?? {
    maxQuotaPerAlias: o.quota.maxQuotaPerAlias === null ? '' : String(o.quota.maxQuotaPerAlias),
    maxQuota: o.quota.maxQuota === null ? '' : String(o.quota.maxQuota),
  };
  return html`<p><a href="${path}">Back to ${domainToDisplay(o.domain.name)}</a></p>
  ${errorBox(o.error)}
  <form method="post" action="${path}/quota" class="card" aria-labelledby="limits">
    <h2 id="limits">Limits</h2>
    ${csrfInput(o.csrf)}
    ${textInput({
      label: 'Limit per mailbox',
      name: 'max_quota_per_alias',
      value: form.maxQuotaPerAlias,
      maxlength: 32,
      hint: `For each mailbox without a limit of its own. Bytes or a size such as 10GB. Empty: the server default (${sizeText(o.serverDefault)}).`,
    })}
    ${textInput({
      label: 'Limit of all mailboxes together',
      name: 'max_quota',
      value: form.maxQuota,
      maxlength: 32,
      hint: 'Bytes or a size such as 50GB. Empty: none.',
    })}
    <button type="submit">Save limits</button>
  </form>`;
}
