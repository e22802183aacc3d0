/**
 * File uploads of the backup page: multipart/form-data (RFC 7578) parsed as it streams in by busboy, the one file
 * written to a private file in this process's scratch directory under the data directory's tmp/uploads (see
 * transfer-jobs.ts), never held in memory, and cut off at web.uploadMaxBytes (413).
 *
 * CSRF: checkCsrf reads only url-encoded forms, so it leaves the paths in UPLOAD_PATHS to this reader, which checks
 * the token here instead. The token must be the first part of the form (the page puts its hidden field first, and
 * browsers send parts in document order): a forged upload is refused before a byte of its file is written.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputSyntaxError, MessageTooLargeError, PermissionError } from '@mailyard/errors';
import busboy from 'busboy';
import { CSRF_FIELD, isValidCsrfToken } from './csrf.js';
import { FORM_LIMIT_BYTES } from './form-body.js';
import type { WebContext } from './web-context.js';

/** The forms that post a file: import and restore into an alias's mailbox, restore into a new one. */
const UPLOAD_PATHS = [/^\/domains\/[^/]+\/aliases\/[^/]+\/backup\/(?:import|restore)$/, /^\/domains\/[^/]+\/restore$/];

export function isUploadPath(path: string): boolean {
  return UPLOAD_PATHS.some((pattern) => pattern.test(path));
}

export const CSRF_REFUSAL =
  'This form has expired or was sent from another site. Go back, reload the page and try again.';

export interface UploadedFile {
  /** Where the bytes are (tmp/uploads/<process>/<random>); the caller deletes it. */
  path: string;
  /** The name the browser gave (shown back to the person, never used as a path). */
  name: string;
  size: number;
}

export interface Upload {
  fields: URLSearchParams;
  /** The file, or null when the form was sent without one. */
  file: UploadedFile | null;
}

export interface UploadOptions {
  csrfKey: Buffer;
  /** Directory the file is written to (made 0700 when missing). */
  dir: string;
  maxBytes: number;
}

function tooLarge(maxBytes: number): MessageTooLargeError {
  return new MessageTooLargeError(
    `The file is larger than the ${Math.floor(maxBytes / 1024 / 1024)} MiB this server accepts.`,
  );
}

/**
 * Reads the form, its fields into `fields` and its one file into `dir`. Rejects with PermissionError (CSRF),
 * MessageTooLargeError (413, the partial file removed) or InputSyntaxError (not a multipart form).
 */
export async function readUpload(ctx: WebContext, opts: UploadOptions): Promise<Upload> {
  if (!ctx.is('multipart/form-data')) throw new InputSyntaxError('send the file as multipart/form-data');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > opts.maxBytes + FORM_LIMIT_BYTES) {
    ctx.set('Connection', 'close');
    throw tooLarge(opts.maxBytes);
  }
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const fields = new URLSearchParams();
  let file: UploadedFile | null = null;
  let fileStream: Readable | null = null;
  let writing: Promise<void> | null = null;
  let trusted = false;
  let failure: Error | null = null;
  let settle: (err?: Error) => void = () => {};
  const parsed = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });

  const parser = busboy({
    headers: ctx.req.headers,
    limits: { files: 1, fields: 20, parts: 21, fieldSize: FORM_LIMIT_BYTES, fileSize: opts.maxBytes },
  });
  // A refused upload stops being parsed at once; the reply closes the connection instead of reading the rest.
  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    ctx.req.unpipe(parser);
    fileStream?.destroy();
    settle(err);
  };
  parser.on('field', (name, value) => {
    if (name === CSRF_FIELD && !trusted) trusted = isValidCsrfToken(opts.csrfKey, ctx.state.sid, value);
    if (!trusted) return fail(new PermissionError(CSRF_REFUSAL));
    fields.append(name, value);
  });
  parser.on('file', (_name, stream: Readable, info) => {
    if (!trusted) fail(new PermissionError(CSRF_REFUSAL));
    if (failure || file || !info.filename) {
      stream.resume();
      return;
    }
    const target: UploadedFile = {
      path: join(opts.dir, randomBytes(12).toString('hex')),
      name: info.filename,
      size: 0,
    };
    file = target;
    fileStream = stream;
    stream.on('data', (chunk: Buffer) => {
      target.size += chunk.length;
    });
    stream.once('limit', () => fail(tooLarge(opts.maxBytes)));
    writing = pipeline(stream, createWriteStream(target.path, { mode: 0o600 }));
    writing.catch(() => {}); // awaited below; a failure is reported there
  });
  parser.on('filesLimit', () => fail(new InputSyntaxError('send one file at a time')));
  parser.on('fieldsLimit', () => fail(new InputSyntaxError('the form has too many fields')));
  parser.once('close', () => settle());
  parser.once('error', (err: Error) => fail(new InputSyntaxError(`the form could not be read: ${err.message}`)));
  ctx.req.once('close', () => {
    if (!ctx.req.complete) fail(new InputSyntaxError('the upload was cut off'));
  });
  ctx.req.pipe(parser);

  try {
    await parsed;
    if (writing) await writing;
  } catch (err) {
    failure ??= err instanceof Error ? err : new Error(String(err));
  }
  if (failure) {
    ctx.set('Connection', 'close');
    await (writing as Promise<void> | null)?.catch(() => {});
    const written = file as UploadedFile | null;
    if (written) await rm(written.path, { force: true });
    throw failure;
  }
  return { fields, file };
}
