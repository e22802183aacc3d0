/**
 * zod at the edge: a failed parse becomes a ValidationError naming the first offending field (HTTP 400). Before
 * validating, Forward Email's field names become ours (fe-compat.ts) and a form body's strings become the types
 * the schema asks for (form-coerce.ts), so JSON, urlencoded and multipart bodies pass the same checks.
 */
import { ValidationError } from '@mailyard/errors';
import type { z } from 'zod';
import { isFormBody } from './body.js';
import { fromForwardEmail } from './fe-compat.js';
import { coerceForm } from './form-coerce.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const named = fromForwardEmail(schema, value);
  const typed = isFormBody(value) ? coerceForm(schema, named as Record<string, unknown>) : named;
  const result = schema.safeParse(typed);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new ValidationError(issue?.message ?? 'invalid input', field);
}
