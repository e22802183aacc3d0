/**
 * HTML form bodies (application/x-www-form-urlencoded, WHATWG URL §5), read with a byte limit. Dashboard forms are
 * small; anything else is refused before it is buffered.
 */
import { InputSyntaxError, MessageTooLargeError } from '@mailyard/errors';
import type { Context } from 'koa';

/** The largest dashboard form (an alias with 100 recipients and a description) fits in a few KiB. */
export const FORM_LIMIT_BYTES = 64 * 1024;

export type FormFields = URLSearchParams;

export async function readBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  if (Number(ctx.get('content-length') || 0) > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      ctx.set('Connection', 'close');
      throw tooLarge(limitBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readForm(ctx: Context): Promise<FormFields> {
  const raw = await readBody(ctx, FORM_LIMIT_BYTES);
  if (raw.length > 0 && !ctx.is('application/x-www-form-urlencoded')) {
    throw new InputSyntaxError('send the form as application/x-www-form-urlencoded');
  }
  return new URLSearchParams(raw.toString('utf8'));
}

function tooLarge(limitBytes: number): MessageTooLargeError {
  return new MessageTooLargeError(`the form is larger than ${limitBytes} bytes`);
}

/** A trimmed text field, '' when absent. */
export function field(form: FormFields, name: string): string {
  return (form.get(name) ?? '').trim();
}

/** A checkbox: present means on. */
export function checkbox(form: FormFields, name: string): boolean {
  return form.has(name);
}
