/**
 * JSON request bodies (RFC 8259), read through the one bounded body reader of @mailyard/limits: a declared
 * Content-Length over the limit is refused before any byte is read (413), a streamed body is cut off as soon as it
 * passes the limit. Every body reserves its bytes from the process's in-flight byte budget before they are read
 * and holds them until the response has gone; with the budget full the request gets 503 and Retry-After (the
 * server is busy and the same request will succeed later), not 413 (which tells a client the request itself is
 * too large and should not be retried as it is).
 */

import * as Boom from '@hapi/boom';
import { InputSyntaxError } from '@mailyard/errors';
import { type ByteBudget, readBoundedBody } from '@mailyard/limits';
import type { Context } from 'koa';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export async function readJsonBody(ctx: Context, limitBytes: number, budget?: ByteBudget): Promise<unknown> {
  const raw = await readBoundedBody(ctx, { maxBytes: limitBytes, ...(budget ? { budget } : {}) });
  if (raw.length === 0) return {};
  if (!JSON_TYPE.test(ctx.get('content-type'))) throw Boom.unsupportedMediaType('send application/json');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new InputSyntaxError('request body is not valid JSON');
  }
}
