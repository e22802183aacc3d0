/**
 * Errors to ManageSieve responses, in one place (STYLE.md item 5). ManageSieve has no BAD: a syntax error in a
 * command or in a script is NO with its text (a script's line and column included); user errors are NO with the
 * RFC 5804 §1.3 response code that names them (QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS, ACTIVE, NONEXISTENT,
 * ALREADYEXISTS, TRYLATER); a code bug is logged with its detail and the client gets only "Internal server error".
 */
import { classify, reportError } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import { response } from './protocol/writer.js';

const TEMPORARY_KINDS = new Set([
  'rateLimit',
  'tryAgainLater',
  'timeout',
  'serverTemporary',
  'storageFull',
  'external',
]);

/** The NO response for `err`; code bugs and temporary server trouble are logged. */
export function errorResponse(logger: Logger, err: unknown, command: string): string {
  const c = classify(err);
  if (c.kind === 'bug' || c.temporary) reportError(logger, err, { command });
  if (c.kind === 'bug') return response('NO', c.publicMessage);
  if (TEMPORARY_KINDS.has(c.kind)) return response('NO', c.publicMessage, 'TRYLATER');
  return response('NO', c.publicMessage, responseCode(c.kind, c.code));
}

function responseCode(kind: string, code: string): string | undefined {
  switch (kind) {
    case 'quota':
      return code.startsWith('QUOTA') ? code : 'QUOTA';
    case 'conflict':
      return code === 'ACTIVE' ? 'ACTIVE' : 'ALREADYEXISTS';
    case 'notFound':
      return 'NONEXISTENT';
    default:
      return undefined;
  }
}
