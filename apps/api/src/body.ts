/**
 * Request bodies, read through the one bounded body reader of @mailyard/limits: a declared Content-Length over the
 * limit is refused before any byte is read (413), a streamed body is cut off as soon as it passes the limit. Every
 * body reserves its bytes from the process's in-flight byte budget before they are read and holds them until the
 * response has gone; with the budget full the request gets 503 and Retry-After (the server is busy and the same
 * request will succeed later), not 413 (which tells a client the request itself is too large and should not be
 * retried as it is).
 *
 * Three content types, one result shape (a plain object for the route's zod schema):
 * - application/json (RFC 8259), and any `+json` type;
 * - application/x-www-form-urlencoded (what `curl -d` sends): a repeated key or `key[]` gives an array;
 * - multipart/form-data (RFC 7578, `curl -F`): as forms, a file part's value is its text.
 * Form fields are all strings: the object is marked as a form (isFormBody) so that parseInput converts them to the
 * booleans, numbers and arrays the schema asks for (form-coerce.ts), and only then validates. Any other type: 415.
 * Multipart is parsed by the runtime's own parser (the fetch API's Response.formData), on the bounded buffer.
 */

import * as Boom from '@hapi/boom';
import { InputSyntaxError } from '@mailyard/errors';
import { type ByteBudget, readBoundedBody } from '@mailyard/limits';
import type { Context } from 'koa';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const URLENCODED_TYPE = /^application\/x-www-form-urlencoded\b/i;
const MULTIPART_TYPE = /^multipart\/form-data\b/i;

export const SUPPORTED_BODY_TYPES = 'application/json, application/x-www-form-urlencoded or multipart/form-data';

/** A form's fields: one string, or several for a repeated key or a `key[]` name. */
export type FormFields = Record<string, string | string[]>;

const formBodies = new WeakSet<object>();

/** True for the object of a form-encoded or multipart body (its values are strings, not JSON types). */
export function isFormBody(value: unknown): value is FormFields {
  return typeof value === 'object' && value !== null && formBodies.has(value);
}

export async function readBody(ctx: Context, limitBytes: number, budget?: ByteBudget): Promise<unknown> {
  const raw = await readBoundedBody(ctx, { maxBytes: limitBytes, ...(budget ? { budget } : {}) });
  if (raw.length === 0) return {};
  const type = ctx.get('content-type');
  if (JSON_TYPE.test(type)) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new InputSyntaxError('request body is not valid JSON');
    }
  }
  if (URLENCODED_TYPE.test(type)) return markForm(fieldsOf(new URLSearchParams(raw.toString('utf8'))));
  if (MULTIPART_TYPE.test(type)) {
    const form = await multipartOf(raw, type);
    const entries: [string, string][] = [];
    for (const [name, value] of form) entries.push([name, typeof value === 'string' ? value : await value.text()]);
    return markForm(fieldsOf(entries));
  }
  throw Boom.unsupportedMediaType(`send ${SUPPORTED_BODY_TYPES}${type ? ` (not ${type.split(';')[0]})` : ''}`);
}

/**
 * The file of an upload: the body as it is, or with multipart/form-data (`curl -F file=@export.mbox`) the first
 * file part's bytes (the `file` field when there is one). The body was read within the byte budget already.
 */
export async function uploadedFile(ctx: Context, raw: Buffer): Promise<Buffer> {
  const type = ctx.get('content-type');
  if (!MULTIPART_TYPE.test(type) || raw.length === 0) return raw;
  const form = await multipartOf(raw, type);
  const named = form.get('file');
  const file =
    typeof named === 'object' && named !== null ? named : [...form.values()].find((v) => typeof v !== 'string');
  if (!file || typeof file === 'string') throw Boom.badRequest('the multipart body has no file part: send -F file=@…');
  return Buffer.from(await file.arrayBuffer());
}

async function multipartOf(raw: Buffer, type: string): Promise<FormData> {
  try {
    // A Buffer is a Uint8Array, which Response takes as it is (the cast only bridges @types/node's generic Buffer).
    return await new Response(raw as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new InputSyntaxError('request body is not valid multipart/form-data (RFC 7578)');
  }
}

function fieldsOf(entries: Iterable<[string, string]>): FormFields {
  const fields: FormFields = {};
  const listed = new Set<string>();
  for (const [rawName, value] of entries) {
    const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName;
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    if (rawName.endsWith('[]')) listed.add(name);
    const seen = fields[name];
    if (seen === undefined) fields[name] = listed.has(name) ? [value] : value;
    else fields[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return fields;
}

function markForm(fields: FormFields): FormFields {
  formBodies.add(fields);
  return fields;
}
