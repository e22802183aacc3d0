import { notFound } from '@hapi/boom';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  ExternalError,
  InputSyntaxError,
  type MailyardError,
  MessageTooLargeError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  StorageFullError,
  TimeoutError,
  TryAgainLaterError,
  UserError,
  ValidationError,
} from './classes.js';
import { classify, isCodeBug } from './classify.js';
import { toBoom, toImapResponse, toPop3Response, toSmtpReply } from './replies.js';

interface Row {
  err: MailyardError;
  http: number;
  smtp: [number, string];
  imap: [string, string | undefined];
  pop3: string;
}

const rows: Record<string, Row> = {
  InputSyntaxError: {
    err: new InputSyntaxError('Unexpected char'),
    http: 400,
    smtp: [500, '5.5.2'],
    imap: ['BAD', undefined],
    pop3: '-ERR Unexpected char',
  },
  UserError: {
    err: new UserError('Not possible'),
    http: 400,
    smtp: [550, '5.0.0'],
    imap: ['NO', 'CANNOT'],
    pop3: '-ERR Not possible',
  },
  ValidationError: {
    err: new ValidationError('must be an address', 'to'),
    http: 400,
    smtp: [501, '5.5.4'],
    imap: ['NO', 'CANNOT'],
    pop3: '-ERR to: must be an address',
  },
  AuthenticationError: {
    err: new AuthenticationError('Invalid credentials'),
    http: 401,
    smtp: [535, '5.7.8'],
    imap: ['NO', 'AUTHENTICATIONFAILED'],
    pop3: '-ERR [AUTH] Invalid credentials',
  },
  PermissionError: {
    err: new PermissionError('Not your address'),
    http: 403,
    smtp: [550, '5.7.1'],
    imap: ['NO', 'NOPERM'],
    pop3: '-ERR Not your address',
  },
  NotFoundError: {
    err: new NotFoundError('No such mailbox'),
    http: 404,
    smtp: [550, '5.1.1'],
    imap: ['NO', 'NONEXISTENT'],
    pop3: '-ERR No such mailbox',
  },
  ConflictError: {
    err: new ConflictError('Mailbox exists'),
    http: 409,
    smtp: [550, '5.0.0'],
    imap: ['NO', 'ALREADYEXISTS'],
    pop3: '-ERR Mailbox exists',
  },
  QuotaExceededError: {
    err: new QuotaExceededError('Mailbox full'),
    http: 422,
    smtp: [552, '5.2.2'],
    imap: ['NO', 'OVERQUOTA'],
    pop3: '-ERR Mailbox full',
  },
  RateLimitError: {
    err: new RateLimitError('Too many messages', 90_500),
    http: 429,
    smtp: [451, '4.7.0'],
    imap: ['NO', 'LIMIT'],
    pop3: '-ERR [SYS/TEMP] Too many messages',
  },
  MessageTooLargeError: {
    err: new MessageTooLargeError('Message exceeds 52428800 bytes'),
    http: 413,
    smtp: [552, '5.3.4'],
    imap: ['NO', 'TOOBIG'],
    pop3: '-ERR Message exceeds 52428800 bytes',
  },
  ExternalError: {
    err: new ExternalError('DNS unavailable'),
    http: 503,
    smtp: [451, '4.4.0'],
    imap: ['NO', 'UNAVAILABLE'],
    pop3: '-ERR [SYS/TEMP] DNS unavailable',
  },
  TryAgainLaterError: {
    err: new TryAgainLaterError('Server busy', { retryAfterMs: 2000 }),
    http: 503,
    smtp: [452, '4.3.1'],
    imap: ['NO', 'LIMIT'],
    pop3: '-ERR [SYS/TEMP] Server busy',
  },
  TimeoutError: {
    err: new TimeoutError('DATA', 180_000),
    http: 503,
    smtp: [451, '4.3.0'],
    imap: ['NO', 'UNAVAILABLE'],
    pop3: '-ERR [SYS/TEMP] DATA timed out after 180000 ms',
  },
  StorageFullError: {
    err: new StorageFullError(),
    http: 507,
    smtp: [452, '4.3.1'],
    imap: ['NO', 'OVERQUOTA'],
    pop3: '-ERR [SYS/TEMP] Not enough disk space on the server, try again later',
  },
  'temporary ServerError': {
    err: new ServerError('Disk full', { temporary: true }),
    http: 503,
    smtp: [451, '4.3.0'],
    imap: ['NO', 'UNAVAILABLE'],
    pop3: '-ERR [SYS/TEMP] Disk full',
  },
};

describe.each(Object.entries(rows))('%s', (_name, row) => {
  test('HTTP', () => {
    const boom = toBoom(row.err);
    expect(boom.output.statusCode).toBe(row.http);
    expect(boom.output.payload.message).toBe(row.err.message);
    expect(boom.output.payload.code).toBe(row.err.code);
  });

  test('SMTP', () => {
    expect(toSmtpReply(row.err)).toEqual({ code: row.smtp[0], enhanced: row.smtp[1], message: row.err.message });
  });

  test('IMAP', () => {
    const [status, code] = row.imap;
    expect(toImapResponse(row.err)).toEqual({ status, text: row.err.message, ...(code ? { code } : {}) });
  });

  test('POP3', () => {
    expect(toPop3Response(row.err)).toBe(row.pop3);
  });
});

describe('HTTP specifics', () => {
  test('rate limit carries Retry-After in whole seconds, rounded up', () => {
    expect(toBoom(new RateLimitError('slow', 90_500)).output.headers['Retry-After']).toBe('91');
  });

  test('try-again-later carries Retry-After, with a default when none is given', () => {
    expect(toBoom(new TryAgainLaterError('busy', { retryAfterMs: 2000 })).output.headers['Retry-After']).toBe('2');
    expect(toBoom(new TryAgainLaterError()).output.headers['Retry-After']).toBe('30');
  });

  test('user errors carry no Retry-After', () => {
    expect(toBoom(new NotFoundError()).output.headers['Retry-After']).toBeUndefined();
  });

  test('ValidationError names its field in the message and the payload', () => {
    const boom = toBoom(new ValidationError('must be 1-64 characters', 'localPart'));
    expect(boom.output.payload.message).toContain('localPart');
    expect(boom.output.payload.field).toBe('localPart');
  });
});

describe('SMTP specifics', () => {
  test('a connection rate limit replies 421 so the client closes', () => {
    expect(toSmtpReply(new RateLimitError('Too many connections', 1000, { closeConnection: true })).code).toBe(421);
  });

  test('system and SQLite busy errors map to temporary replies', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toSmtpReply(refused)).toMatchObject({ code: 451, enhanced: '4.4.0' });
    const busy = Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
    expect(toSmtpReply(busy)).toMatchObject({ code: 452, enhanced: '4.3.1' });
    expect(toImapResponse(busy)).toMatchObject({ status: 'NO', code: 'LIMIT' });
  });
});

describe('POP3 specifics', () => {
  test('a mailbox in use gets [IN-USE] (RFC 2449 §8.1.2)', () => {
    expect(toPop3Response(new UserError('Mailbox locked', { code: 'INUSE' }))).toBe('-ERR [IN-USE] Mailbox locked');
  });
});

describe('replies are single lines', () => {
  test('CR and LF in a message cannot inject a second reply', () => {
    const err = new UserError('first\r\nA1 OK injected');
    expect(toPop3Response(err)).toBe('-ERR first A1 OK injected');
    expect(toImapResponse(err).text).not.toMatch(/[\r\n]/);
    expect(toSmtpReply(err).message).not.toMatch(/[\r\n]/);
  });
});

describe('code bugs never leak', () => {
  const SECRET = 'SELECT * FROM secrets WHERE key=hunter2';
  const sqlite = Object.assign(new Error(SECRET), { name: 'SqliteError', code: 'SQLITE_ERROR' });
  const bugs: [string, unknown][] = [
    ['TypeError', new TypeError(SECRET)],
    ['plain Error', new Error(SECRET)],
    ['ServerError with details', new ServerError(SECRET, { details: { secret: SECRET } })],
    ['SqliteError', sqlite],
    ['string', SECRET],
    ['object', { message: SECRET }],
    ['AggregateError', new AggregateError([new TypeError(SECRET)], SECRET)],
  ];

  test.each(bugs)('%s', (_name, err) => {
    const boom = toBoom(err);
    const replies = [
      JSON.stringify(boom.output),
      boom.message,
      JSON.stringify(toSmtpReply(err)),
      JSON.stringify(toImapResponse(err)),
      toPop3Response(err),
    ];
    for (const reply of replies) expect(reply).not.toContain('hunter2');
    expect(boom.output.statusCode).toBe(500);
    expect(boom.output.payload.message).toBe('Internal server error');
    expect(toSmtpReply(err)).toEqual({ code: 451, enhanced: '4.3.0', message: 'Internal server error' });
    expect(toImapResponse(err)).toEqual({ status: 'NO', code: 'SERVERBUG', text: 'Internal server error' });
    expect(toPop3Response(err)).toBe('-ERR [SYS/PERM] Internal server error');
  });

  test('details of an expected error are not sent either', () => {
    const err = new NotFoundError('No such user', { details: { query: SECRET } });
    const replies = [JSON.stringify(toBoom(err).output), JSON.stringify(toSmtpReply(err)), toPop3Response(err)];
    for (const reply of replies) expect(reply).not.toContain('hunter2');
  });
});

describe('client errors from the HTTP stack keep their status', () => {
  const httpError = (status: number, message: string, expose = status < 500) =>
    Object.assign(new Error(message), { status, statusCode: status, expose });

  test.each([
    [400, 'Invalid JSON', 'syntax'],
    [404, 'Not Found', 'notFound'],
    [413, 'request entity too large', 'tooLarge'],
    [415, 'Unsupported Media Type', 'user'],
  ])('http-errors %i', (status, message, kind) => {
    const err = httpError(status, message);
    expect(isCodeBug(err)).toBe(false);
    expect(classify(err).kind).toBe(kind);
    const boom = toBoom(err);
    expect(boom.output.statusCode).toBe(status);
    expect(boom.output.payload.message).toBe(message);
  });

  test('a Boom 4xx thrown by a handler is a user error', () => {
    const boom = toBoom(notFound('No such domain'));
    expect(boom.output.statusCode).toBe(404);
    expect(boom.output.payload.message).toBe('No such domain');
  });

  test('a 5xx or unexposed http error is a code bug', () => {
    expect(isCodeBug(httpError(500, 'db exploded'))).toBe(true);
    expect(isCodeBug(httpError(400, 'internal', false))).toBe(true);
    expect(toBoom(httpError(500, 'db exploded')).output.payload.message).toBe('Internal server error');
  });
});
