/**
 * The one bounded reader for HTTP request bodies (REST API JSON, dashboard forms, autodiscover XML).
 *
 * A declared Content-Length over the limit is refused before any byte is read; a body without one (chunked,
 * RFC 9112 §7.1) is cut off on the chunk that passes the limit, so a client can never make the process buffer
 * more than maxBytes plus one chunk. On a cut-off the reply asks for the connection to be closed (RFC 9112 §9.6):
 * the rest of the upload is then never waited for. Both failures are MessageTooLargeError (HTTP 413).
 *
 * With a `budget` (the process's ByteBudget) the body's bytes are reserved before they are read: the declared
 * length up front, a chunked body chunk by chunk. A full budget is TryAgainLaterError (HTTP 503 with Retry-After:
 * the same request succeeds once other uploads are done), and the connection is closed rather than the unread body
 * waited for. The reservation is held until the response has gone (the handler still holds the body until then).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { MessageTooLargeError } from '@mailyard/errors';
import type { ByteBudget, Reservation } from './byte-budget.js';

/** What the reader needs of an HTTP exchange; a Koa context or a plain { req, res } pair fits. */
export interface BodyExchange {
  req: AsyncIterable<Uint8Array> & { headers: IncomingHttpHeaders };
  res: { setHeader(name: string, value: string): unknown; once?(event: 'close', listener: () => void): unknown };
}

export interface BodyReaderOptions {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** How the body is named in the error a client sees ('the form'); 'the request body' by default. */
  label?: string;
  /** Reserve the body's bytes from this budget while the exchange lasts. */
  budget?: ByteBudget;
}

export async function readBoundedBody(exchange: BodyExchange, options: BodyReaderOptions): Promise<Buffer> {
  const declared = declaredLength(exchange.req.headers);
  if (declared > options.maxBytes) throw tooLarge(options);
  const reservation = reserve(exchange, options.budget, declared);
  try {
    const body = await readChunks(exchange, options, reservation);
    if (!exchange.res.once) reservation?.release();
    return body;
  } catch (err) {
    reservation?.release();
    throw err;
  }
}

async function readChunks(
  exchange: BodyExchange,
  options: BodyReaderOptions,
  reservation: Reservation | undefined,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of exchange.req) {
    size += chunk.length;
    if (size > options.maxBytes) {
      exchange.res.setHeader('Connection', 'close');
      throw tooLarge(options);
    }
    if (reservation && size > reservation.bytes) grow(exchange, reservation, size - reservation.bytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The declared length, reserved before any byte is read; given back when the response has gone. */
function reserve(exchange: BodyExchange, budget: ByteBudget | undefined, bytes: number): Reservation | undefined {
  if (!budget) return undefined;
  let reservation: Reservation;
  try {
    reservation = budget.reserve(bytes);
  } catch (err) {
    exchange.res.setHeader('Connection', 'close');
    throw err;
  }
  exchange.res.once?.('close', () => reservation.release());
  return reservation;
}

function grow(exchange: BodyExchange, reservation: Reservation, bytes: number): void {
  try {
    reservation.grow(bytes);
  } catch (err) {
    exchange.res.setHeader('Connection', 'close');
    throw err;
  }
}

function declaredLength(headers: IncomingHttpHeaders): number {
  const value = Number(headers['content-length'] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

function tooLarge(options: BodyReaderOptions): MessageTooLargeError {
  return new MessageTooLargeError(`${options.label ?? 'the request body'} is larger than ${options.maxBytes} bytes`);
}
