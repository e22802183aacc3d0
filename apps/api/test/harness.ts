/**
 * Starts the API on 127.0.0.1 port 0 over a real SQLite control store and a real mail store in a temp data dir,
 * and talks to it with fetch. Every log line at error level (a code bug) is collected so tests can assert none.
 */
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import type { RateLimitStore } from '@mailyard/limits';
import { Mailstore } from '@mailyard/mailstore';
import { controlQuotaSource } from '@mailyard/runtime';
import { createMessageSender, type DnsLookup } from '@mailyard/smtp';
import { captureLog, type LogLine, tempDir } from '@mailyard/testkit';
import { type ApiServer, createApiServer, OPERATIONS, type RateLimits } from '../src/index.js';

export interface Harness {
  api: ApiServer;
  base: string;
  config: Config;
  control: SqliteControlStore;
  mailstore: Mailstore;
  masterKey: Buffer;
  /** Log entries at level error or above (code bugs). */
  /** Lines logged at error level or above (a test expects none). */
  readonly errors: LogLine[];
  /** Every line logged at the harness's log level (opts.logLevel, default warn). */
  readonly logs: LogLine[];
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  signUp(email: string, token?: string): Promise<string>;
  close(): Promise<void>;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected field by field
  body: any;
}

/**
 * Every successful reply must match the response schema its operation documents in the OpenAPI document, so the
 * document cannot drift from what the server sends.
 */
function checkAgainstDocument(method: string, path: string, status: number, body: unknown): void {
  if (status < 200 || status > 299) return;
  const pathname = path.split('?')[0] ?? '';
  const op = OPERATIONS.find(
    (o) =>
      o.method === method.toLowerCase() &&
      new RegExp(`^/v1${o.path.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(pathname),
  );
  if (!op) throw new Error(`${method} ${pathname} answered ${status} but is not in the OpenAPI document`);
  if (op.status !== status && !(op.status === 201 && status === 200)) {
    throw new Error(`${method} ${pathname} answered ${status}, the document says ${op.status}`);
  }
  const result = op.reply?.safeParse(body);
  if (result && !result.success) {
    throw new Error(`${method} ${pathname} reply does not match its schema: ${result.error.message}`);
  }
}

export function basic(token: string): string {
  return `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
}

export async function startHarness(
  opts: {
    signupOpen?: boolean;
    bodyLimitBytes?: number;
    /** Settings of the api section, e.g. the rate limits as configured. */
    api?: Partial<Config['api']>;
    rateLimits?: Partial<RateLimits>;
    resolver?: string;
    /** Settings of the smtp section (sending limits of POST /v1/emails). */
    smtp?: Partial<Config['smtp']>;
    /** Settings of the webhooks section. */
    webhooks?: Partial<Config['webhooks']>;
    /**
     * Build a message sender (POST /v1/emails) over the same stores; `dns` for its lookups, `sendingLimitStore` for
     * the counters of the sending limits (default: its own, in memory).
     */
    sender?: { dns?: DnsLookup; sendingLimitStore?: RateLimitStore };
    /** What the log keeps (default warn): 'debug' keeps the request lines too. */
    logLevel?: 'debug' | 'info' | 'warn';
  } = {},
): Promise<Harness> {
  const dir = await tempDir('mailyard-api-');
  const dataDir = dir.path;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      hostname: 'mx.mailyard.test',
      api: { signupOpen: opts.signupOpen ?? false, bodyLimitBytes: opts.bodyLimitBytes ?? 64 * 1024, ...opts.api },
      dns: opts.resolver ? { resolver: opts.resolver } : {},
      ...(opts.smtp ? { smtp: opts.smtp } : {}),
      ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
    },
  });
  const log = captureLog({ level: opts.logLevel ?? 'warn' });
  const { logger } = log;
  const masterKey = randomBytes(32);
  const control = new SqliteControlStore({ dataDir, masterKey, scryptCost: { N: 1024, r: 8, p: 1 } });
  const quotaSource = controlQuotaSource(control, config.mailbox.quotaBytes);
  const mailstore = new Mailstore({ dataDir, kdf: { N: 1024 }, quotaSource });
  const sender = opts.sender
    ? createMessageSender({ config, logger, control, mailstore, masterKey, ...opts.sender })
    : undefined;
  const api = createApiServer({ config, logger, control, mailstore, rateLimits: opts.rateLimits, sender });
  const port = await api.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;

  async function call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) headers.authorization = basic(o.token);
    let payload: string | Buffer | undefined = o.body;
    if (o.json !== undefined) {
      payload = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers, body: payload });
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    checkAgainstDocument(method, path, res.status, body);
    return { status: res.status, headers: res.headers, body };
  }

  return {
    api,
    base,
    config,
    control,
    mailstore,
    masterKey,
    get errors() {
      return log.atLeast(50);
    },
    get logs() {
      return log.lines;
    },
    call,
    async signUp(email, token) {
      const res = await call('POST', '/v1/account', { json: { email, password: 'long enough pw' }, token });
      if (res.status !== 201) throw new Error(`sign-up of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token.secret as string;
    },
    async close() {
      await api.close();
      await mailstore.close();
      await control.close();
      await dir.cleanup();
    },
  };
}
