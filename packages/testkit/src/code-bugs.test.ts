// The code-bug check against real loggers: lines logged through createLogger (and children) are counted, a
// test that declares them passes, and the check functions fail with the logged lines otherwise.
import { Writable } from 'node:stream';
import { reportError } from '@mailyard/errors';
import { codeBugCount, createLogger } from '@mailyard/logger';
import { describe, expect, test } from 'vitest';
import { afterTest, beforeTest, expectCodeBugs, noteChildLogLine } from './code-bugs.js';

function quietLogger() {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return createLogger({ destination: sink, pretty: false });
}

describe('code-bug check', () => {
  test('a code bug logged through reportError or a child logger is counted; a declared one passes', () => {
    expectCodeBugs(2);
    const logger = quietLogger();
    const before = codeBugCount();
    reportError(logger, new TypeError('cannot read properties of undefined'));
    logger.child({ component: 'imap', cid: 'abc' }).error({ err: new RangeError('bad length') }, 'fetch failed');
    logger.error({ err: Object.assign(new Error('gone'), { code: 'ECONNRESET' }) }, 'client went away');
    logger.warn({ err: new TypeError('only a warning') }, 'odd');
    expect(codeBugCount() - before).toBe(2);
  });

  test('an undeclared code bug fails the check with its message and stack', () => {
    expectCodeBugs(1);
    beforeTest();
    reportError(quietLogger(), new TypeError('undeclared bug'), { command: 'FETCH' });
    let failure: unknown;
    try {
      afterTest();
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).toMatch(/1 code bug\(s\) logged during this test:\n- code bug: TypeError: undeclared bug/);
    expect(String(failure)).toContain('"command":"FETCH"');
    // The check above consumed this test's bug; declare nothing more so the global check passes.
    expectCodeBugs(0);
  });

  test('a different number than declared fails the check', () => {
    beforeTest();
    expectCodeBugs(2);
    quietLogger().error({ err: new SyntaxError('one only') }, 'parse failed');
    expect(() => afterTest()).toThrow(/1 code bug\(s\) logged during this test \(it declared 2/);
  });

  test('JSON lines of a child process count by the same rule', () => {
    expectCodeBugs(2);
    const line = (fields: object) => JSON.stringify({ level: 50, time: 1, pid: 7, ...fields });
    expect(noteChildLogLine(line({ msg: 'code bug', err: { type: 'ServerError', message: 'x' } }))).toBe(true);
    expect(noteChildLogLine(line({ msg: 'drain failed', err: { type: 'TypeError', message: 'y', stack: 's' } }))).toBe(
      true,
    );
    expect(
      noteChildLogLine(line({ msg: 'peer reset', err: { type: 'Error', message: 'z', code: 'ECONNRESET' } })),
    ).toBe(false);
    expect(noteChildLogLine(line({ msg: 'busy', err: { type: 'TryAgainLaterError', message: 'later' } }))).toBe(false);
    expect(noteChildLogLine('pm2 says hello')).toBe(false);
    expect(noteChildLogLine(JSON.stringify({ level: 30, msg: 'code bug' }))).toBe(false);
  });
});
