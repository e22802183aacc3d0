/**
 * The edge where Mailyard errors become SMTP replies (RFC 5321 §4.2 codes, RFC 3463 enhanced status codes), and
 * the SMTP server class that sends them as mapped.
 *
 * smtp-server derives the enhanced code of a handler error from its reply code alone (550 -> 5.1.1), which would
 * say "bad mailbox" for a relay refusal. Handler errors therefore carry their enhanced code at the start of the
 * message ('5.7.1 Relaying denied'), and MailyardSmtpServer sends such a text as is instead of adding a second
 * code. Everything else keeps smtp-server's mapping.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type ErrorLogger, reportError, toSmtpReply } from '@mailyard/errors';
import { SMTPServer } from 'smtp-server';

const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;

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
export function handlerFailure(logger: ErrorLogger, err: unknown, context: Record<string, unknown>): SmtpHandlerError {
  reportError(logger, err, context);
  return toHandlerError(err);
}

type SendContext = string | false | undefined;

export class MailyardSmtpServer extends SMTPServer {
  override connect(socket: Socket | TLSSocket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    // super.connect() adds the new connection last and sends nothing before returning (the greeting waits 100 ms).
    let newest: Sender | undefined;
    for (const connection of this.connections) newest = connection;
    if (newest) patchSend(newest);
  }
}

interface Sender {
  send(code: number, data?: string | string[] | null, context?: string | false): void;
  secure: boolean;
}

function patchSend(connection: Sender): void {
  const original = connection.send.bind(connection);
  connection.send = (code: number, data?: string | string[] | null, context?: SendContext) => {
    if (typeof data === 'string' && ENHANCED_PREFIX.test(data)) return original(code, data, false);
    // RFC 3207 §4: AUTH is withheld until TLS; say why instead of "command not recognized".
    if (code === 500 && context === 'AUTH' && !connection.secure) {
      return original(530, '5.7.0 Must issue a STARTTLS command first', false);
    }
    return original(code, data, context);
  };
}
