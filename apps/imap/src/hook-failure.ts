/**
 * One place where a hook failure becomes an IMAP reply. A hook that fails records the reply mapped by
 * @mailyard/errors (toImapResponse: NO [NONEXISTENT], NO [OVERQUOTA], NO [SERVERBUG] ...) and logs it with
 * reportError (code bugs in full at error level; the client never sees the detail). The command wrapper in
 * commands.ts then sends that reply instead of whatever imap-core would have made of the hook's result.
 */
import { reportError, toImapResponse } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import type { CommandResult, ImapSession } from 'wildduck/imap-core';
import { stateOf } from './context.js';

function loggerOf(session: ImapSession): Logger {
  return stateOf(session).logger;
}

const failures = new WeakMap<ImapSession, CommandResult>();

/** Records the reply for `err` and returns its response code, which hooks pass to imap-core as the result. */
export function recordFailure(session: ImapSession, logger: Logger, err: unknown, hook: string): string {
  reportError(logger, err, { hook });
  const reply = toImapResponse(err);
  failures.set(session, { response: reply.status, code: reply.code ?? false, message: reply.text });
  return reply.code ?? 'SERVERBUG';
}

/** Records a reply that is not an error (e.g. [NONEXISTENT] for an unknown folder). */
export function recordReply(session: ImapSession, reply: CommandResult): string {
  failures.set(session, reply);
  return typeof reply.code === 'string' ? reply.code : 'CANNOT';
}

export function takeFailure(session: ImapSession): CommandResult | undefined {
  const failure = failures.get(session);
  failures.delete(session);
  return failure;
}

/** recordFailure with the connection's own logger (from the per-connection state). */
export function failHook(session: ImapSession, err: unknown, hook: string): string {
  return recordFailure(session, loggerOf(session), err, hook);
}
