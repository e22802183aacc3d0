import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { type CreateLoggerOptions, childFor, createLogger, newConnectionId } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'mailyard-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

/** A logger writing through a real pino destination (SonicBoom, sync) into a temp file, and its lines. */
function capture(opts: CreateLoggerOptions = {}) {
  const path = join(dir, `log-${++fileCount}.ndjson`);
  const destination = pino.destination({ dest: path, sync: true });
  const logger = createLogger({ ...opts, destination });
  const text = () => readFileSync(path, 'utf8');
  const lines = () =>
    text()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, lines };
}

const SECRETS = {
  password: 'hunter2-password',
  token: 'tok-abcdef-123456',
  apiKey: 'ak_live_9988776655',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.payload.sig',
  cookie: 'sid=cookie-value-777',
  privateKey: 'private-key-material-xyz',
  body: 'Subject: hello\r\n\r\nthe message body text',
  master: 'master-key-bytes-abc',
};

function expectNoSecrets(output: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) expect(output, name).not.toContain(secret);
}

describe('createLogger', () => {
  test('writes JSON lines with name, pid, hostname, level and message', () => {
    const { logger, lines } = capture({ name: 'imap' });
    logger.info({ mailbox: 'INBOX' }, 'selected');
    const [line] = lines();
    expect(line).toMatchObject({ name: 'imap', pid: process.pid, level: 30, msg: 'selected', mailbox: 'INBOX' });
    expect(typeof line?.hostname).toBe('string');
    expect(typeof line?.time).toBe('string');
  });

  test('honours the level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });

  test('pretty output is human-readable and still redacted', () => {
    const { logger, text } = capture({ pretty: true });
    logger.info({ user: 'alice@example.com', password: SECRETS.password }, 'login ok');
    const output = text();
    expect(output).toContain('login ok');
    expect(output).toContain('alice@example.com');
    expect(() => JSON.parse(output.split('\n')[0] ?? '')).toThrow();
    expectNoSecrets(output);
  });
});

describe('redaction in real output', () => {
  test('secrets nested three and four levels deep', () => {
    const { logger, text, lines } = capture();
    logger.info({
      session: {
        auth: { user: 'alice', password: SECRETS.password, newPassword: SECRETS.password },
        client: { tls: { privateKey: SECRETS.privateKey, cipher: 'TLS_AES_128_GCM_SHA256' } },
      },
      config: { redis: { options: { auth: { api_key: SECRETS.apiKey, masterKey: SECRETS.master } } } },
    });
    expectNoSecrets(text());
    expect(lines()[0]).toMatchObject({
      session: {
        auth: { user: 'alice', password: '[Redacted]', newPassword: '[Redacted]' },
        client: { tls: { privateKey: '[Redacted]', cipher: 'TLS_AES_128_GCM_SHA256' } },
      },
      config: { redis: { options: { auth: { api_key: '[Redacted]', masterKey: '[Redacted]' } } } },
    });
  });

  test('arrays of objects', () => {
    const { logger, text, lines } = capture();
    logger.info({
      accounts: [
        { address: 'a@example.com', pass: SECRETS.password },
        { address: 'b@example.com', tokens: [SECRETS.token] },
      ],
    });
    expectNoSecrets(text());
    expect(lines()[0]).toEqual(
      expect.objectContaining({
        accounts: [
          { address: 'a@example.com', pass: '[Redacted]' },
          { address: 'b@example.com', tokens: '[Redacted]' },
        ],
      }),
    );
  });

  test('HTTP headers in any case, cookies and set-cookie', () => {
    const { logger, text, lines } = capture();
    logger.info({
      request: {
        headers: {
          Authorization: `Bearer ${SECRETS.bearer}`,
          cookie: SECRETS.cookie,
          'x-api-key': SECRETS.apiKey,
          'user-agent': 'curl/8',
        },
      },
      response: { headers: { 'Set-Cookie': [SECRETS.cookie], 'content-type': 'application/json' } },
    });
    expectNoSecrets(text());
    expect(lines()[0]).toMatchObject({
      request: { headers: { Authorization: '[Redacted]', 'x-api-key': '[Redacted]', 'user-agent': 'curl/8' } },
      response: { headers: { 'Set-Cookie': '[Redacted]', 'content-type': 'application/json' } },
    });
  });

  test('errors keep type, message and stack; their secret fields are redacted', () => {
    const { logger, text, lines } = capture();
    const error = Object.assign(new TypeError('login failed'), {
      code: 'EAUTH',
      response: {
        config: { headers: { authorization: `Basic ${SECRETS.token}` }, data: { password: SECRETS.password } },
      },
    });
    // warn, not error: a TypeError at error level is a code bug, which fails the run (see code-bugs.ts).
    logger.warn(error);
    logger.warn({ err: error, context: { error } }, 'retrying');
    expectNoSecrets(text());
    const [first, second] = lines();
    expect(first).toMatchObject({
      msg: 'login failed',
      err: {
        type: 'TypeError',
        message: 'login failed',
        code: 'EAUTH',
        stack: expect.stringContaining('TypeError: login failed'),
        response: { config: { headers: { authorization: '[Redacted]' }, data: { password: '[Redacted]' } } },
      },
    });
    expect(second).toMatchObject({
      msg: 'retrying',
      err: { type: 'TypeError', code: 'EAUTH' },
      context: { error: { type: 'TypeError', message: 'login failed' } },
    });
  });

  test('child loggers: bindings and per-line objects', () => {
    const { logger, text, lines } = capture();
    const child = childFor(logger, 'smtp', 'c1d2e3f4').child({ auth: { user: 'bob', password: SECRETS.password } });
    child.info({ envelope: { from: 'bob@example.com' }, raw: SECRETS.body }, 'accepted');
    expectNoSecrets(text());
    expect(lines()[0]).toMatchObject({
      component: 'smtp',
      cid: 'c1d2e3f4',
      msg: 'accepted',
      auth: { user: 'bob', password: '[Redacted]' },
      envelope: { from: 'bob@example.com' },
      raw: '[Redacted]',
    });
  });

  test('message bodies, content and binary data', () => {
    const { logger, text, lines } = capture();
    logger.info({ message: { body: SECRETS.body, html: SECRETS.body, content: SECRETS.body, size: 40 } });
    logger.info({ chunk: Buffer.from(SECRETS.body) });
    expectNoSecrets(text());
    const [first, second] = lines();
    expect(first).toMatchObject({
      message: { body: '[Redacted]', html: '[Redacted]', content: '[Redacted]', size: 40 },
    });
    expect(second).toMatchObject({ chunk: expect.stringMatching(/^\[Buffer: \d+ bytes\]$/) });
  });

  test('credentials inside strings and messages', () => {
    const { logger, text } = capture();
    logger.info(
      { url: 'redis://default:s3cr3t-pass@127.0.0.1:6379/0' },
      'connecting to %s',
      'mongodb://u:p4ss-word@db/x',
    );
    const output = text();
    expect(output).not.toContain('s3cr3t-pass');
    expect(output).not.toContain('p4ss-word');
    expect(output).toContain('127.0.0.1:6379');
  });

  test('circular structures are logged, not fatal', () => {
    const { logger, lines } = capture();
    const session: Record<string, unknown> = { id: 's1', password: SECRETS.password };
    session.self = session;
    logger.info({ session });
    expect(lines()[0]).toMatchObject({ session: { id: 's1', password: '[Redacted]', self: '[Circular]' } });
  });
});

describe('newConnectionId', () => {
  test('is short, URL-safe and different each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newConnectionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
