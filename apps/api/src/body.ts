/**
 * JSON request bodies, read with a byte limit: a declared Content-Length over the limit is refused before any byte
 * is read (413), a streamed body is cut off as soon as it passes the limit.
 */

import * as Boom from '@hapi/boom';
import { InputSyntaxError, MessageTooLargeError } from '@mailyard/errors';
import type { Context } from 'koa';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) throw new MessageTooLargeError(`request body over ${limitBytes} bytes`);
  const raw = await readLimited(ctx, limitBytes);
  if (raw.length === 0) return {};
  if (!JSON_TYPE.test(ctx.get('content-type'))) throw Boom.unsupportedMediaType('send application/json');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new InputSyntaxError('request body is not valid JSON');
  }
}

async function readLimited(ctx: Context, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      // Stop reading; the connection is closed after the reply so the rest of the upload is not waited for.
      ctx.set('Connection', 'close');
      throw new MessageTooLargeError(`request body over ${limitBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
