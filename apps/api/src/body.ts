/**
 * JSON request bodies (RFC 8259), read through the one bounded body reader of @mailyard/limits: a declared
 * Content-Length over the limit is refused before any byte is read (413), a streamed body is cut off as soon as it
 * passes the limit.
 */

import * as Boom from '@hapi/boom';
import { InputSyntaxError } from '@mailyard/errors';
import { readBoundedBody } from '@mailyard/limits';
import type { Context } from 'koa';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const raw = await readBoundedBody(ctx, { maxBytes: limitBytes });
  if (raw.length === 0) return {};
  if (!JSON_TYPE.test(ctx.get('content-type'))) throw Boom.unsupportedMediaType('send application/json');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new InputSyntaxError('request body is not valid JSON');
  }
}
