import { reportError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { expectCodeBugs } from './code-bugs.js';
import { captureLog } from './log-capture.js';

describe('captureLog', () => {
  test('keeps every line parsed, in order, from debug up by default', () => {
    const log = captureLog();
    log.logger.debug({ mailbox: 'm1' }, 'opened');
    log.logger.warn('slow');
    expect(log.lines.map((line) => [line.level, line.msg])).toEqual([
      [20, 'opened'],
      [40, 'slow'],
    ]);
    expect(log.lines[0]).toMatchObject({ mailbox: 'm1', name: 'mailyard' });
    expect(log.atLeast(40).map((line) => line.msg)).toEqual(['slow']);
  });

  test('writes nothing below the level asked for, under the name asked for', () => {
    const log = captureLog({ level: 'warn', name: 'imap' });
    log.logger.info('hidden');
    log.logger.error('shown');
    expect(log.lines).toEqual([expect.objectContaining({ level: 50, msg: 'shown', name: 'imap' })]);
  });

  test('the text is what was written, after redaction', () => {
    const log = captureLog();
    log.logger.info({ password: 'hunter2' }, 'login');
    expect(log.text).toContain('"msg":"login"');
    expect(log.text).not.toContain('hunter2');
  });

  test('codeBugs() picks the code bug lines', () => {
    expectCodeBugs(1);
    const log = captureLog();
    log.logger.info('fine');
    reportError(log.logger, new TypeError('undefined is not a function'), { during: 'a test' });
    expect(log.codeBugs()).toHaveLength(1);
    expect(log.codeBugs()[0]).toMatchObject({ level: 50, msg: 'code bug' });
  });
});
