/**
 * The one bounded reader for HTTP request bodies (REST API JSON, dashboard forms, autodiscover XML).
 *
 * A declared Content-Length over the limit is refused before any byte is read; a body without one (chunked,
 * RFC 9112 §7.1) is cut off on the chunk that passes the limit, so a client can never make the process buffer
 * more than maxBytes plus one chunk. On a cut-off the reply asks for the connection to be closed (RFC 9112 §9.6):
 * the rest of the upload is then never waited for. Both failures are MessageTooLargeError (HTTP 413).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { MessageTooLargeError } from '@mailyard/errors';

/** What the reader needs of an HTTP exchange; a Koa context or a plain { req, res } pair fits. */
export interface BodyExchange {
  req: AsyncIterable<Uint8Array> & { headers: IncomingHttpHeaders };
  res: { setHeader(name: string, value: string): unknown };
}

export interface BodyReaderOptions {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** How the body is named in the error a client sees ('the form'); 'the request body' by default. */
  label?: string;
}

export async function readBoundedBody(exchange: BodyExchange, options: BodyReaderOptions): Promise<Buffer> {
  const { maxBytes } = options;
  if (declaredLength(exchange.req.headers) > maxBytes) throw tooLarge(options);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of exchange.req) {
    size += chunk.length;
    if (size > maxBytes) {
      exchange.res.setHeader('Connection', 'close');
      throw tooLarge(options);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function declaredLength(headers: IncomingHttpHeaders): number {
  const value = Number(headers['content-length'] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

function tooLarge(options: BodyReaderOptions): MessageTooLargeError {
  return new MessageTooLargeError(`${options.label ?? 'the request body'} is larger than ${options.maxBytes} bytes`);
}
