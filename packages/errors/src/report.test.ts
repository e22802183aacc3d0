import { describe, expect, test } from 'vitest';
import { NotFoundError, ServerError, TryAgainLaterError } from './classes.js';
import type { MinimalLogger } from './minimal-logger.js';
import { reportError } from './report.js';

interface Entry {
  level: 'error' | 'warn' | 'info' | 'debug';
  obj: Record<string, unknown>;
  msg: string;
}

function recordingLogger(): MinimalLogger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: Entry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  return { entries, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

describe('reportError', () => {
  test('a code bug is logged at error level with the original error, details and context', () => {
    const logger = recordingLogger();
    const err = new ServerError('uid went backwards', { details: { uid: 7 } });
    const c = reportError(logger, err, { component: 'imap', cid: 'abc' });
    expect(c.kind).toBe('bug');
    expect(logger.entries).toHaveLength(1);
    const [entry] = logger.entries;
    expect(entry).toMatchObject({ level: 'error', msg: 'code bug' });
    expect(entry?.obj).toMatchObject({ component: 'imap', cid: 'abc', errorCode: 'SERVERBUG', details: { uid: 7 } });
    expect(entry?.obj.err).toBe(err);
  });

  test('a thrown non-error is wrapped so its value reaches the log', () => {
    const logger = recordingLogger();
    reportError(logger, { reason: 'weird' });
    const logged = logger.entries[0]?.obj.err as Error;
    expect(logged).toBeInstanceOf(Error);
    expect(logged.message).toContain('weird');
  });

  test('user errors log at info, temporary server conditions at warn', () => {
    const logger = recordingLogger();
    reportError(logger, new NotFoundError('No such mailbox'));
    reportError(logger, new TryAgainLaterError());
    expect(logger.entries.map((e) => e.level)).toEqual(['info', 'warn']);
    expect(logger.entries[0]?.msg).toBe('No such mailbox');
  });
});
