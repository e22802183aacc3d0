/**
 * Checks every received message passes before anything is stored: clean line endings and no NUL (RFC 5321
 * §2.3.8, §4.5.2: a bare LF or a bare CR is how SMTP smuggling and header hiding work, so both are refused), a
 * header block of bounded size, and no mail loop (RFC 5321 §6.3, more than maxReceivedHeaders Received headers).
 * The line scan runs on the bytes as they arrive, so a spilled message is never read back to be checked.
 */
import { headerFields } from './message.js';
import type { ReceivedMessage } from './received-message.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';

const CR = 0x0d;
const LF = 0x0a;

export interface ContentFindings {
  nul: boolean;
  bareLf: boolean;
  bareCr: boolean;
}

/** Finds NUL, bare LF and bare CR in a byte stream fed in pieces (a CR ending one piece pairs with the next). */
export class LineEndingScan implements ContentFindings {
  nul = false;
  bareLf = false;
  bareCr = false;
  #afterCr = false;

  scan(piece: Buffer): void {
    if (piece.length === 0) return;
    if (!this.nul && piece.includes(0)) this.nul = true;
    if (this.#afterCr && piece[0] !== LF) this.bareCr = true;
    if (!this.bareLf) this.#findBareLf(piece);
    if (!this.bareCr) this.#findBareCr(piece);
    this.#afterCr = piece[piece.length - 1] === CR;
  }

  /** Call once at the end: a CR as the very last byte is bare too. */
  finish(): ContentFindings {
    if (this.#afterCr) this.bareCr = true;
    return { nul: this.nul, bareLf: this.bareLf, bareCr: this.bareCr };
  }

  #findBareLf(piece: Buffer): void {
    for (let i = piece.indexOf(LF); i >= 0; i = piece.indexOf(LF, i + 1)) {
      const before = i === 0 ? (this.#afterCr ? CR : -1) : piece[i - 1];
      if (before !== CR) {
        this.bareLf = true;
        return;
      }
    }
  }

  #findBareCr(piece: Buffer): void {
    for (let i = piece.indexOf(CR); i >= 0 && i < piece.length - 1; i = piece.indexOf(CR, i + 1)) {
      if (piece[i + 1] !== LF) {
        this.bareCr = true;
        return;
      }
    }
  }
}

export function contentRefusal(message: ReceivedMessage, maxReceivedHeaders: number): SmtpHandlerError | null {
  const { findings } = message;
  if (findings.nul) return reply(554, '5.6.0', 'Message contains NUL characters');
  if (findings.bareLf) return reply(554, '5.6.0', 'Message contains bare LF line endings; lines must end in CRLF');
  if (findings.bareCr) return reply(554, '5.6.0', 'Message contains a bare CR; lines must end in CRLF');
  if (message.headerTooLarge) return reply(552, '5.3.4', 'Message header block too large');
  const received = headerFields(message.header).filter((f) => f.name === 'received').length;
  if (received > maxReceivedHeaders) return reply(554, '5.4.6', 'Mail loop detected: too many Received headers');
  return null;
}
