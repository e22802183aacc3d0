/**
 * CREATE's optional parameter list (RFC 4466 §2.2 create-param). The one parameter known here is USE
 * (CREATE-SPECIAL-USE, RFC 6154 §3): `CREATE name (USE (\Archive))` creates the folder with that special use.
 * A use this server does not know is NO [USEATTR] (§3); a folder holds one special use here, so asking for
 * several is NO [USEATTR] too. Any other parameter is BAD.
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { Token } from './protocol/types.js';

/** RFC 6154 §2 use-attr values. */
const USES = new Map(
  ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'].map((u) => [u.toLowerCase(), u]),
);

export interface CreateOptions {
  specialUse?: string;
}

export function parseCreateOptions(token: Token | undefined): CreateOptions {
  if (!token) return {};
  if (token.type !== 'list') throw new InputSyntaxError('Invalid CREATE parameters');
  const items = token.items;
  const options: CreateOptions = {};
  for (let i = 0; i < items.length; i += 2) {
    const name = items[i]?.type === 'atom' ? (items[i] as { value: string }).value.toUpperCase() : '';
    const value = items[i + 1];
    if (name !== 'USE' || value?.type !== 'list') throw new InputSyntaxError('Invalid CREATE parameter');
    const uses = value.items.map((u) => (u.type === 'atom' ? u.value : ''));
    if (uses.length !== 1) throw new UserError('One special use per folder', { code: 'USEATTR' });
    const use = USES.get((uses[0] ?? '').toLowerCase());
    if (!use) throw new UserError(`Unknown special use ${uses[0]}`, { code: 'USEATTR' });
    options.specialUse = use;
  }
  return options;
}
