/**
 * wildduck's imap-core loaded once (CommonJS, through createRequire), with the internal modules this app extends:
 * the command table entries (command modules are shared objects, so patching a module patches the table),
 * imap-tools (capability response, sequence ranges) and the errors module whose sink we point at our logger.
 */
import { createRequire } from 'node:module';
import type { CommandModule, ImapConnection, IMAPServer as ImapServerClass, imapHandler } from 'wildduck/imap-core';

const require = createRequire(import.meta.url);

const core = require('wildduck/imap-core') as { IMAPServer: typeof ImapServerClass; imapHandler: typeof imapHandler };

export const IMAPServer = core.IMAPServer;
export const handler = core.imapHandler;

export interface ImapTools {
  sendCapabilityResponse(connection: ImapConnection): void;
  getMessageRange(uidList: number[], range: string, isUid: boolean): number[];
  packMessageRange(uids: number[]): string;
  validateSequence(range: string): boolean;
  normalizeMailbox(path: string, utf7Encoded: boolean): string;
  formatInternalDate(date: Date): string;
  utf7encode(value: string): string;
  utf7decode(value: string): string;
}

export const imapTools = require('wildduck/imap-core/lib/imap-tools') as ImapTools;

/** The sink wildduck's lib/errors.js writes protocol notices to (console.error by default). */
export const wildduckErrors = require('wildduck/lib/errors.js') as {
  gelf: { handler: { emit(channel: string, message: Record<string, unknown>): void } };
};

export type CommandName =
  | 'select'
  | 'fetch'
  | 'enable'
  | 'idle'
  | 'search'
  | 'store'
  | 'uid-store'
  | 'expunge'
  | 'uid-expunge'
  | 'copy'
  | 'move'
  | 'append'
  | 'list'
  | 'lsub'
  | 'status'
  | 'create'
  | 'delete'
  | 'rename'
  | 'subscribe'
  | 'unsubscribe'
  | 'getquota'
  | 'getquotaroot'
  | 'close';

export function commandModule(name: CommandName): CommandModule {
  return require(`wildduck/imap-core/lib/commands/${name}`) as CommandModule;
}
