/**
 * The edge where Mailyard errors become SMTP replies (RFC 5321 §4.2 codes, RFC 3463 enhanced status codes).
 *
 * smtp-server derives the enhanced code of a handler error from its reply code alone (550 -> 5.1.1), which would
 * say "bad mailbox" for a relay refusal. Handler errors therefore carry their enhanced code at the start of the
 * message ('5.7.1 Relaying denied'), and GuardedSmtpServer (server.ts) sends such a text as is instead of adding
 * a second code. Everything else keeps smtp-server's mapping.
 */
import { type MinimalLogger, reportError, toSmtpReply } from '@mailyard/errors';

/** A reply text that starts with its enhanced status code. */
export const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;

export interface SmtpHandlerError extends Error {
  responseCode: number;
}

/** A handler error with an explicit reply: `reply(550, '5.7.1', 'Relaying denied')`. */
export function reply(code: number, enhanced: string, message: string): SmtpHandlerError {
  const err = new Error(`${enhanced} ${message.replace(/[\r\n]+/g, ' ')}`) as SmtpHandlerError;
  err.responseCode = code;
  return err;
}

/** Any thrown value as the reply the errors package maps it to (code bugs get a generic temporary reply). */
export function toHandlerError(err: unknown): SmtpHandlerError {
  const mapped = toSmtpReply(err);
  return reply(mapped.code, mapped.enhanced, mapped.message);
}

/** Logs `err` once at the level its fault deserves and returns the reply for it. */
export function handlerFailure(
  logger: MinimalLogger,
  err: unknown,
  context: Record<string, unknown>,
): SmtpHandlerError {
  reportError(logger, err, context);
  return toHandlerError(err);
}
