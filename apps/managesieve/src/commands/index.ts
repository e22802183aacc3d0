/**
 * The dispatch table of ManageSieve commands (RFC 5804 §2), with the state each needs. One file per group:
 * session.ts here (CAPABILITY, STARTTLS, LOGOUT, NOOP, UNAUTHENTICATE), authenticate.ts (AUTHENTICATE with SASL
 * PLAIN and LOGIN), scripts.ts (HAVESPACE, PUTSCRIPT, CHECKSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, DELETESCRIPT,
 * RENAMESCRIPT).
 */
import type { Token } from '../protocol/reader.js';
import type { Session } from '../session.js';
import { authenticate } from './authenticate.js';
import {
  checkScriptCommand,
  deleteScript,
  getScript,
  haveSpace,
  listScripts,
  putScript,
  renameScript,
  setActive,
} from './scripts.js';
import { capability, logout, noop, startTls, unauthenticate } from './session.js';

export interface Command {
  /** 'any': both states. */
  state: 'any' | 'unauthenticated' | 'authenticated';
  run(session: Session, args: Token[]): Promise<void>;
}

export const COMMANDS: Record<string, Command> = {
  CAPABILITY: { state: 'any', run: capability },
  AUTHENTICATE: { state: 'unauthenticated', run: authenticate },
  STARTTLS: { state: 'unauthenticated', run: startTls },
  LOGOUT: { state: 'any', run: logout },
  NOOP: { state: 'any', run: noop },
  UNAUTHENTICATE: { state: 'authenticated', run: unauthenticate },
  HAVESPACE: { state: 'authenticated', run: haveSpace },
  PUTSCRIPT: { state: 'authenticated', run: putScript },
  CHECKSCRIPT: { state: 'authenticated', run: checkScriptCommand },
  LISTSCRIPTS: { state: 'authenticated', run: listScripts },
  SETACTIVE: { state: 'authenticated', run: setActive },
  GETSCRIPT: { state: 'authenticated', run: getScript },
  DELETESCRIPT: { state: 'authenticated', run: deleteScript },
  RENAMESCRIPT: { state: 'authenticated', run: renameScript },
};
