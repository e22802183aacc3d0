/**
 * Logging an error once, at the level its fault deserves. Code bugs are logged at error level with everything
 * (message, stack, details, cause); expected failures are logged briefly so they can be counted, not paged on.
 */
import { type Classification, classify } from './classify.js';
import type { MinimalLogger } from './minimal-logger.js';

export function reportError(
  logger: MinimalLogger,
  err: unknown,
  context: Record<string, unknown> = {},
): Classification {
  const c = classify(err);
  const fields = { ...context, errorKind: c.kind, errorCode: c.code, ...detailsOf(c) };
  if (c.kind === 'bug') {
    logger.error({ ...fields, err: asError(err) }, 'code bug');
    return c;
  }
  const level = c.temporary && c.kind !== 'rateLimit' ? 'warn' : 'info';
  logger[level]({ ...fields, err: asError(err) }, c.publicMessage);
  return c;
}

function detailsOf(c: Classification): { details?: Record<string, unknown> } {
  return c.error?.details === undefined ? {} : { details: c.error.details };
}

/** pino serialises Error objects (message, stack, cause); wrap thrown non-errors so their value is kept. */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(`non-error thrown: ${describe(err)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
