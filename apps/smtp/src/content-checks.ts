/**
 * Checks every received message passes before anything is stored: clean line endings and no NUL (RFC 5321
 * §2.3.8, §4.5.2) and no mail loop (RFC 5321 §6.3, more than SMTP_LIMITS.maxReceivedHeaders Received headers).
 */
import { SMTP_LIMITS } from './limits.js';
import { countHeaders, hasBareLineFeed, hasNul } from './message.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';

export function contentRefusal(raw: Buffer): SmtpHandlerError | null {
  if (hasNul(raw)) return reply(554, '5.6.0', 'Message contains NUL characters');
  if (hasBareLineFeed(raw)) return reply(554, '5.6.0', 'Message contains bare LF line endings; lines must end in CRLF');
  if (countHeaders(raw, 'received') > SMTP_LIMITS.maxReceivedHeaders) {
    return reply(554, '5.4.6', 'Mail loop detected: too many Received headers');
  }
  return null;
}
