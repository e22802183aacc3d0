/**
 * HTML form bodies (application/x-www-form-urlencoded, WHATWG URL §5), read with a byte limit. Dashboard forms are
 * small; anything larger is refused by the one bounded body reader of @mailyard/limits before it is buffered.
 */
import { InputSyntaxError } from '@mailyard/errors';
import { readBoundedBody } from '@mailyard/limits';
import type { Context } from 'koa';

/** The largest dashboard form (an alias with 100 recipients and a description) fits in a few KiB. */
export const FORM_LIMIT_BYTES = 64 * 1024;

export type FormFields = URLSearchParams;

export async function readForm(ctx: Context): Promise<FormFields> {
  const raw = await readBoundedBody(ctx, { maxBytes: FORM_LIMIT_BYTES, label: 'the form' });
  if (raw.length > 0 && !ctx.is('application/x-www-form-urlencoded')) {
    throw new InputSyntaxError('send the form as application/x-www-form-urlencoded');
  }
  return new URLSearchParams(raw.toString('utf8'));
}

/** A trimmed text field, '' when absent. */
export function field(form: FormFields, name: string): string {
  return (form.get(name) ?? '').trim();
}

/** A checkbox: present means on. */
export function checkbox(form: FormFields, name: string): boolean {
  return form.has(name);
}
