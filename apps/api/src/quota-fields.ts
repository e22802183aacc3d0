/**
 * Quota fields of aliases and domains in the REST API (control/quotas.ts decides what they mean). Aliases take
 * and show `max_quota` (bytes, or Forward Email's size strings such as "10GB") and `max_messages`, and show their
 * usage as last reported (`storage_used`, `message_count`) and the limit in force (`effective_max_quota`: the
 * alias's own, else the domain's per-alias limit, else the server default, lowered by the domain's cap). Domains
 * take and show `max_quota_per_alias` and `max_quota` (the cap of all their mailboxes together) and show the sum of
 * their mailboxes' usage. A bad value is a 400 naming the field. A limit above the server default
 * (`mailbox.quotaBytes`) is for server administrators only (403 for anyone else): the default is what the operator
 * offers, and a domain's owner lowers it, never raises it.
 */
import {
  type AliasQuotaPatch,
  type DomainQuotaPatch,
  type MailboxQuotaRecord,
  parseMessageLimit,
  parseQuota,
  resolveQuota,
} from '@mailyard/control';
import { NotFoundError, PermissionError } from '@mailyard/errors';
import { type ApiContext, type RouteDeps, requireAuth } from './context.js';

/** Who sets a limit, and the server default a non-administrator may not go above. */
export interface QuotaSetter {
  isAdmin: boolean;
  serverDefault: number;
}

export function quotaSetter(ctx: ApiContext, deps: RouteDeps): QuotaSetter {
  return { isAdmin: requireAuth(ctx).account.isAdmin, serverDefault: deps.config.mailbox.quotaBytes };
}

function limitFor(value: unknown, field: string, setter: QuotaSetter): number | null {
  const bytes = parseQuota(value, field);
  if (bytes !== null && bytes > setter.serverDefault && !setter.isAdmin) {
    throw new PermissionError(`${field}: only a server administrator may set more than ${setter.serverDefault} bytes`);
  }
  return bytes;
}

export function aliasQuotaPatch(
  input: { max_quota?: unknown; max_messages?: unknown },
  setter: QuotaSetter,
): AliasQuotaPatch {
  return {
    ...(input.max_quota !== undefined ? { maxQuota: limitFor(input.max_quota, 'max_quota', setter) } : {}),
    ...(input.max_messages !== undefined ? { maxMessages: parseMessageLimit(input.max_messages, 'max_messages') } : {}),
  };
}

export function domainQuotaPatch(
  input: { max_quota_per_alias?: unknown; max_quota?: unknown },
  setter: QuotaSetter,
): DomainQuotaPatch {
  return {
    ...(input.max_quota_per_alias !== undefined
      ? { maxQuotaPerAlias: limitFor(input.max_quota_per_alias, 'max_quota_per_alias', setter) }
      : {}),
    ...(input.max_quota !== undefined ? { maxQuota: parseQuota(input.max_quota, 'max_quota') } : {}),
  };
}

function isEmpty(patch: object): boolean {
  return Object.keys(patch).length === 0;
}

export async function applyAliasQuota(deps: RouteDeps, aliasId: string, patch: AliasQuotaPatch): Promise<void> {
  if (isEmpty(patch)) return;
  if (!(await deps.control.setAliasQuota(aliasId, patch))) throw new NotFoundError('alias not found');
}

export async function applyDomainQuota(deps: RouteDeps, domainId: string, patch: DomainQuotaPatch): Promise<void> {
  if (isEmpty(patch)) return;
  if (!(await deps.control.setDomainQuota(domainId, patch))) throw new NotFoundError('domain not found');
}

/** The alias as presented, with its quota fields. */
export async function withAliasQuota<T extends object>(deps: RouteDeps, shown: T, aliasId: string) {
  return withQuotaRecord(deps, shown, await deps.control.aliasQuota(aliasId));
}

/** Aliases as presented, with their quota fields, read in one call (a listing's page). */
export async function withAliasQuotas<T extends object>(
  deps: RouteDeps,
  shown: readonly { alias: { id: string }; shown: T }[],
) {
  const records = await deps.control.aliasQuotas(shown.map((s) => s.alias.id));
  return shown.map((s) => withQuotaRecord(deps, s.shown, records.get(s.alias.id) ?? null));
}

function withQuotaRecord<T extends object>(deps: RouteDeps, shown: T, record: MailboxQuotaRecord | null) {
  if (!record) return shown;
  const quota = resolveQuota(record, deps.config.mailbox.quotaBytes);
  return {
    ...shown,
    max_quota: record.maxQuota,
    max_messages: record.maxMessages,
    effective_max_quota: quota.bytes,
    storage_used: record.storageUsed,
    message_count: record.messageCount,
  };
}

/** The domain as presented, with its quota fields. */
export async function withDomainQuota<T extends object>(deps: RouteDeps, shown: T, domainId: string) {
  const quota = await deps.control.domainQuota(domainId);
  if (!quota) return shown;
  return {
    ...shown,
    max_quota_per_alias: quota.maxQuotaPerAlias,
    max_quota: quota.maxQuota,
    storage_used: quota.storageUsed,
    message_count: quota.messageCount,
  };
}
