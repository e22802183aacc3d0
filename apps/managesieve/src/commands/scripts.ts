/**
 * Script commands (RFC 5804 §2.5-2.12) over the control store's Sieve scripts of the logged-in alias. The store
 * checks every script before it is written (name per §1.6, size, count, syntax with line and column), so PUTSCRIPT
 * and CHECKSCRIPT answer NO with the same text the REST API gives in its 400.
 */

import type { SieveScript } from '@mailyard/control';
import { checkedScriptName, checkScriptContent, checkScriptCount, checkScriptSize } from '@mailyard/control';
import type { SieveUser } from '../context.js';
import type { Token } from '../protocol/reader.js';
import { response, sieveString } from '../protocol/writer.js';
import type { Session } from '../session.js';
import { arity, numberArg, stringArg } from './arguments.js';

function owner(session: Session): SieveUser {
  if (!session.user) throw new Error('script command without an authenticated user');
  return session.user;
}

/**
 * The script of exactly this name. The store's getSieveScript takes an id or a name (id first), and ManageSieve
 * speaks only names, so the name is looked up in the list (at most SIEVE_STORAGE_LIMITS.maxScripts rows).
 */
async function named(session: Session, name: string): Promise<SieveScript | null> {
  const scripts = await session.ctx.control.listSieveScripts(owner(session).aliasId);
  return scripts.find((script) => script.name === name) ?? null;
}

function nonexistent(session: Session, name: string): void {
  session.write(response('NO', `There is no script named ${name}`, 'NONEXISTENT'));
}

/** §2.5: would a script of this name and size fit? Checks name, size and, for a new name, the script count. */
export async function haveSpace(session: Session, args: Token[]): Promise<void> {
  arity(args, 2);
  const name = checkedScriptName(stringArg(args, 0, 'script name'));
  checkScriptSize(numberArg(args, 1, 'script size'));
  const scripts = await session.ctx.control.listSieveScripts(owner(session).aliasId);
  if (!scripts.some((script) => script.name === name)) checkScriptCount(scripts.length);
  session.write(response('OK', 'Putscript would succeed'));
}

/** §2.6: stores (or replaces) the script after checking it; a syntax error is NO with its line and column. */
export async function putScript(session: Session, args: Token[]): Promise<void> {
  arity(args, 2);
  const name = stringArg(args, 0, 'script name');
  const content = stringArg(args, 1, 'script');
  await session.ctx.control.putSieveScript(owner(session).aliasId, name, content);
  session.write(response('OK', 'Script stored'));
}

/** §2.12: the PUTSCRIPT check without storing anything. */
export async function checkScriptCommand(session: Session, args: Token[]): Promise<void> {
  arity(args, 1);
  checkScriptContent(stringArg(args, 0, 'script'));
  session.write(response('OK', 'Script is valid'));
}

/** §2.7: one line per script, the active one marked ACTIVE. */
export async function listScripts(session: Session, args: Token[]): Promise<void> {
  arity(args, 0);
  const scripts = await session.ctx.control.listSieveScripts(owner(session).aliasId);
  const lines = scripts.map((script) => `${sieveString(script.name)}${script.isActive ? ' ACTIVE' : ''}\r\n`);
  session.write(`${lines.join('')}${response('OK', 'Listscripts completed')}`);
}

/** §2.8: activates the named script; the empty name deactivates whatever is active. */
export async function setActive(session: Session, args: Token[]): Promise<void> {
  arity(args, 1);
  const name = stringArg(args, 0, 'script name');
  const script = name === '' ? null : await named(session, name);
  if (name !== '' && !script) return nonexistent(session, name);
  await session.ctx.control.setActiveSieveScript(owner(session).aliasId, script?.id ?? null);
  session.write(response('OK', name === '' ? 'No script is active' : 'Script activated'));
}

/** §2.9: the script as a literal, then OK. */
export async function getScript(session: Session, args: Token[]): Promise<void> {
  arity(args, 1);
  const name = stringArg(args, 0, 'script name');
  const script = await named(session, name);
  if (!script) return nonexistent(session, name);
  session.write(
    `{${Buffer.byteLength(script.content)}}\r\n${script.content}\r\n${response('OK', 'Getscript completed')}`,
  );
}

/** §2.10: the active script cannot be deleted (NO (ACTIVE)). */
export async function deleteScript(session: Session, args: Token[]): Promise<void> {
  arity(args, 1);
  const name = stringArg(args, 0, 'script name');
  const script = await named(session, name);
  if (!script || !(await session.ctx.control.deleteSieveScript(owner(session).aliasId, script.id))) {
    return nonexistent(session, name);
  }
  session.write(response('OK', 'Script deleted'));
}

/** §2.11.1: NONEXISTENT for an unknown old name, ALREADYEXISTS when the new name is taken. */
export async function renameScript(session: Session, args: Token[]): Promise<void> {
  arity(args, 2);
  const from = stringArg(args, 0, 'old script name');
  const to = stringArg(args, 1, 'new script name');
  const script = await named(session, from);
  if (!script || !(await session.ctx.control.renameSieveScript(owner(session).aliasId, script.id, to))) {
    return nonexistent(session, from);
  }
  session.write(response('OK', 'Script renamed'));
}
