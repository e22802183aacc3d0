import { describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  ExternalError,
  InputSyntaxError,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TryAgainLaterError,
  UserError,
  ValidationError,
} from './classes.js';
import { classify, isCodeBug } from './classify.js';

/** Shaped like better-sqlite3's SqliteError: name 'SqliteError', code 'SQLITE_*'. */
class SqliteError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

function systemError(code: string, syscall = 'connect'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} 10.0.0.1:25`), { code, syscall, errno: -1 });
}

describe('isCodeBug on our classes', () => {
  test.each([
    ['InputSyntaxError', new InputSyntaxError('bad'), false],
    ['UserError', new UserError('no'), false],
    ['ValidationError', new ValidationError('must be positive', 'size'), false],
    ['AuthenticationError', new AuthenticationError(), false],
    ['PermissionError', new PermissionError(), false],
    ['NotFoundError', new NotFoundError(), false],
    ['ConflictError', new ConflictError(), false],
    ['QuotaExceededError', new QuotaExceededError(), false],
    ['RateLimitError', new RateLimitError('slow down', 1000), false],
    ['MessageTooLargeError', new MessageTooLargeError(), false],
    ['ExternalError', new ExternalError('dns down'), false],
    ['TryAgainLaterError', new TryAgainLaterError(), false],
    ['TimeoutError', new TimeoutError('DATA', 10), false],
    ['ServerError', new ServerError('invariant broken'), true],
    ['temporary ServerError', new ServerError('disk full', { temporary: true }), false],
  ])('%s -> %s', (_name, err, expected) => {
    expect(isCodeBug(err)).toBe(expected);
  });

  test('classes carry fault, code and temporary', () => {
    expect(new InputSyntaxError('x')).toMatchObject({ fault: 'syntax', code: 'SYNTAX', temporary: false });
    expect(new AuthenticationError()).toMatchObject({ fault: 'user', code: 'AUTHENTICATIONFAILED' });
    expect(new RateLimitError('x', 5)).toMatchObject({
      fault: 'user',
      code: 'LIMIT',
      temporary: true,
      retryAfterMs: 5,
    });
    expect(new ExternalError('x')).toMatchObject({ fault: 'external', code: 'UNAVAILABLE', temporary: true });
    expect(new TryAgainLaterError()).toMatchObject({ fault: 'server', code: 'LIMIT', temporary: true });
    expect(new TimeoutError('LOGIN', 50)).toMatchObject({
      what: 'LOGIN',
      ms: 50,
      message: 'LOGIN timed out after 50 ms',
    });
    expect(new ServerError('x')).toMatchObject({ fault: 'server', code: 'SERVERBUG', temporary: false });
    expect(new ValidationError('too long', 'name')).toMatchObject({ field: 'name', message: 'name: too long' });
    expect(new UserError('TLS first', { code: 'PRIVACYREQUIRED' }).code).toBe('PRIVACYREQUIRED');
    expect(new NotFoundError().name).toBe('NotFoundError');
  });
});

describe('isCodeBug on built-in errors and thrown values', () => {
  test.each([
    ['TypeError', new TypeError('x is undefined')],
    ['RangeError', new RangeError('bad length')],
    ['SyntaxError', new SyntaxError('Unexpected token')],
    ['ReferenceError', new ReferenceError('y is not defined')],
    ['EvalError', new EvalError('eval')],
    ['URIError', new URIError('malformed')],
    ['plain Error', new Error('boom')],
    ['string', 'boom'],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
    ['plain object', { message: 'boom' }],
    ['AggregateError with a bug', new AggregateError([new ExternalError('x'), new TypeError('y')])],
    ['empty AggregateError', new AggregateError([])],
    ['Error with an unknown code', systemError('ENOENT', 'open')],
  ])('%s is a bug', (_name, err) => {
    expect(isCodeBug(err)).toBe(true);
  });

  test('AggregateError of expected errors takes its first kind', () => {
    const err = new AggregateError([new ExternalError('a'), new TimeoutError('b')]);
    expect(isCodeBug(err)).toBe(false);
    expect(classify(err).kind).toBe('external');
  });
});

describe('SQLite errors', () => {
  test.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_MISUSE', 'SQLITE_CORRUPT', 'SQLITE_NOTADB'])(
    '%s is a bug',
    (code) => {
      expect(isCodeBug(new SqliteError('detail', code))).toBe(true);
    },
  );

  test('an SqliteError without a code is a bug', () => {
    const err = new Error('no such table');
    err.name = 'SqliteError';
    expect(isCodeBug(err)).toBe(true);
  });

  test.each([
    ['SQLITE_BUSY', 'tryAgainLater'],
    ['SQLITE_BUSY_SNAPSHOT', 'tryAgainLater'],
    ['SQLITE_LOCKED', 'tryAgainLater'],
    ['SQLITE_FULL', 'storageFull'],
  ])('%s is temporary (%s), not a bug', (code, kind) => {
    const c = classify(new SqliteError('database is locked', code));
    expect(c).toMatchObject({ kind, temporary: true });
    expect(isCodeBug(new SqliteError('x', code))).toBe(false);
  });
});

describe('Node system errors', () => {
  test.each(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'])(
    '%s is external and temporary',
    (code) => {
      expect(classify(systemError(code))).toMatchObject({ kind: 'external', temporary: true });
      expect(isCodeBug(systemError(code))).toBe(false);
    },
  );

  test.each(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'])(
    '%s (a TLS peer sent something else) is external, not a bug',
    (code) => {
      expect(classify(systemError(code))).toMatchObject({ kind: 'external' });
      expect(isCodeBug(systemError(code))).toBe(false);
    },
  );

  test.each(['EACCES', 'EMFILE'])('%s is a temporary server condition', (code) => {
    expect(classify(systemError(code, 'open'))).toMatchObject({ kind: 'serverTemporary', temporary: true });
    expect(isCodeBug(systemError(code, 'open'))).toBe(false);
  });

  test.each(['ENOSPC', 'EDQUOT'])('%s is a full disk: temporary, code OVERQUOTA, not a bug', (code) => {
    expect(classify(systemError(code, 'write'))).toMatchObject({ kind: 'storageFull', code: 'OVERQUOTA' });
    expect(isCodeBug(systemError(code, 'write'))).toBe(false);
  });

  test('system error text (addresses, paths) is not used as the public message', () => {
    expect(classify(systemError('ECONNREFUSED')).publicMessage).not.toContain('10.0.0.1');
  });

  test('AbortError and DOMException TimeoutError are not bugs', () => {
    expect(classify(new DOMException('aborted', 'AbortError')).kind).toBe('external');
    expect(classify(new DOMException('timed out', 'TimeoutError')).kind).toBe('timeout');
  });
});
