/**
 * QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT and SETQUOTA. Every folder of a mailbox shares its one quota root "".
 * Resources: STORAGE in units of 1024 octets (§5.1) and MESSAGE (§5.2), the latter only while a message limit is
 * set. The limits are the effective ones (control/quotas.ts: the alias's, its domain's per-alias limit or the
 * server default, lowered to what the domain's cap leaves); the usage is the mailbox's own, exact.
 *
 * SETQUOTA (§4.3) changes the alias's own limits in the control store and is for administrators only: the login is
 * one when its address is the login email of the account that owns the alias's domain, or of a server
 * administrator. Everyone else gets NO [NOPERM]. A resource left out of SETQUOTA loses its limit (§4.3), which for
 * STORAGE means the inherited one (domain, then server) applies again.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { QuotaInfo } from '@mailyard/mailstore';
import type { Command } from '../protocol/command.js';
import { imapString } from '../protocol/encode.js';
import type { Session } from '../session.js';
import { astring, astringBytes, atom, expectArgs, list, mailboxArg, number } from './args.js';

/** The one quota root of every folder. */
const ROOT = '';

/** RFC 9208 §5.1: STORAGE is counted in units of 1024 octets; usage rounds up, the limit down. */
function quotaLine(quota: QuotaInfo): string {
  const resources = [`STORAGE ${Math.ceil(quota.usedBytes / 1024)} ${Math.floor(quota.limitBytes / 1024)}`];
  if (quota.limitMessages !== null) resources.push(`MESSAGE ${quota.usedMessages} ${quota.limitMessages}`);
  return `QUOTA "" (${resources.join(' ')})`;
}

function noSuchRoot() {
  return { status: 'NO' as const, code: 'NONEXISTENT', text: 'No such quota root' };
}

export const getquota: Command<Session> = {
  name: 'GETQUOTA',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 1);
    if (astring(args[0], 'quota root') !== ROOT) return noSuchRoot();
    await io.untagged(quotaLine(await session.requireMailbox().refreshQuota()));
    return undefined;
  },
};

export const getquotaroot: Command<Session> = {
  name: 'GETQUOTAROOT',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 1);
    const path = mailboxArg(args[0], session.utf8);
    const mailbox = session.requireMailbox();
    if (!mailbox.getFolder(path)) {
      return { status: 'NO', code: 'NONEXISTENT', text: 'No such folder' };
    }
    await io.untagged(`QUOTAROOT ${imapString(astringBytes(args[0]))} ""`);
    await io.untagged(quotaLine(await mailbox.refreshQuota()));
    return undefined;
  },
};

/** RFC 9208 §4.3 setquota_list: `(name limit ...)`; STORAGE and MESSAGE, each at most once. */
function parseLimits(token: Parameters<typeof list>[0]): { storage: number | null; messages: number | null } {
  const items = list(token, 'quota list');
  if (items.length % 2 !== 0) throw new InputSyntaxError('Quota list needs a limit after each resource');
  const limits: { storage: number | null; messages: number | null } = { storage: null, messages: null };
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += 2) {
    const name = atom(items[i], 'resource name').toUpperCase();
    const limit = number(items[i + 1], 'resource limit');
    if (seen.has(name)) throw new InputSyntaxError(`Resource ${name} given twice`);
    seen.add(name);
    if (name === 'STORAGE') limits.storage = limit * 1024;
    else if (name === 'MESSAGE') limits.messages = limit;
    else throw new InputSyntaxError(`Unsupported resource ${name}`);
  }
  return limits;
}

/** The logged-in address belongs to an administrator of its own domain (see the module comment). */
async function isQuotaAdministrator(session: Session): Promise<{ aliasId: string } | null> {
  const { control } = session.ctx.deps;
  const address = session.user;
  if (!address) return null;
  const [resolved, account] = await Promise.all([
    control.resolveRecipient(address),
    control.findAccountByEmail(address),
  ]);
  if (!resolved || !account) return null;
  if (!account.isAdmin && account.id !== resolved.domain.accountId) return null;
  return { aliasId: resolved.alias.id };
}

export const setquota: Command<Session> = {
  name: 'SETQUOTA',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 2);
    const root = astring(args[0], 'quota root');
    const limits = parseLimits(args[1]);
    const admin = await isQuotaAdministrator(session);
    if (!admin) return { status: 'NO', code: 'NOPERM', text: 'Only an administrator may set quotas' };
    if (root !== ROOT) return noSuchRoot();
    await session.ctx.deps.control.setAliasQuota(admin.aliasId, {
      maxQuota: limits.storage,
      maxMessages: limits.messages,
    });
    await io.untagged(quotaLine(await session.requireMailbox().refreshQuota()));
    return undefined;
  },
};
