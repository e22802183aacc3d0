/** zod at the edge: a failed parse becomes a ValidationError naming the first offending field (HTTP 400). */
import { ValidationError } from '@mailyard/errors';
import type { z } from 'zod';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new ValidationError(issue?.message ?? 'invalid input', field);
}
