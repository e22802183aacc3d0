/**
 * Starts the dashboard on 127.0.0.1 port 0 over a real SQLite control store and a real mail store in a temp data
 * dir (password costs lowered), with a DNS responder on 127.0.0.1 for record checks, and a captured log.
 * `WebClient` is a cookie-keeping HTTP client that fills in the CSRF token of the last page it fetched.
 */
import { createMessageSender } from '@mailyard/api';
import { type Config, type DeepPartial, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import type { LoginFailureStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { captureLog, type DnsServer, type LogLine, startDnsServer, tempDir } from '@mailyard/testkit';
import { createWebServer, type LoginLimits, type WebServer } from '../src/index.js';

export const HOSTNAME = 'mx.mailyard.test';

export interface Harness {
  base: string;
  config: Config;
  dataDir: string;
  web: WebServer;
  control: SqliteControlStore;
  mailstore: Mailstore;
  dns: DnsServer;
  logger: Logger;
  tls: { key: string; cert: string };
  logs: LogLine[];
  /** Log lines reporting code bugs (errors that are never expected). */
  codeBugs(): LogLine[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: DeepPartial<Config>;
  loginLimits?: Partial<LoginLimits>;
  /** Shared failed-login counters (as several dashboard instances share them through Redis). */
  loginFailures?: LoginFailureStore;
  /** CSRF key; give several apps the same one to serve one site, as main.ts derives it from the master key. */
  sessionSecret?: Buffer;
  /** Give the dashboard a message sender over the same stores (recipient verification emails are then queued). */
  withSender?: boolean;
  /** Time between two verification emails to one recipient (default 10 minutes). */
  verificationResendMs?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = await tempDir('mailyard-web-');
  const dns = await startDnsServer();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: HOSTNAME,
      bind: '127.0.0.1',
      allowInsecureAuth: true,
      dns: { resolver: dns.address },
      ...opts.config,
    },
  });
  const runtime = await ensureRuntimeFiles(config);
  const log = captureLog({ level: 'info' });
  const { logger, lines: logs } = log;
  const control = new SqliteControlStore({
    dataDir: dir.path,
    masterKey: runtime.masterKey,
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  const mailstore = new Mailstore({ dataDir: dir.path, kdf: { N: 1024 }, notifyPollMs: 50 });
  const web = createWebServer({
    config,
    logger,
    control,
    mailstore,
    loginLimits: opts.loginLimits,
    ...(opts.loginFailures ? { loginFailures: opts.loginFailures } : {}),
    sessionSecret: opts.sessionSecret,
    ...(opts.withSender
      ? { sender: createMessageSender({ config, logger, control, mailstore, masterKey: runtime.masterKey }) }
      : {}),
    ...(opts.verificationResendMs !== undefined ? { verificationResendMs: opts.verificationResendMs } : {}),
  });
  const port = await web.listen(0, '127.0.0.1');
  return {
    base: `http://127.0.0.1:${port}`,
    config,
    dataDir: dir.path,
    web,
    control,
    mailstore,
    dns,
    logger,
    tls: runtime.tls,
    logs,
    codeBugs: log.codeBugs,
    async close() {
      await web.close();
      await mailstore.close();
      await control.close();
      await dns.close();
      await dir.cleanup();
    },
  };
}

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/** A browser without a browser: keeps the session cookie, sends forms with the CSRF token of the last page. */
export class WebClient {
  cookie = '';
  csrf = '';

  /** `forwardedFor`: the client address to claim in X-Forwarded-For (honoured with api.trustProxy). */
  constructor(
    readonly base: string,
    readonly forwardedFor?: string,
  ) {}

  async request(method: string, path: string, body?: string, contentType?: string): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.forwardedFor) headers['x-forwarded-for'] = this.forwardedFor;
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(`${this.base}${path}`, { method, headers, body, redirect: 'manual' });
    const setCookie = res.headers.getSetCookie()[0];
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** Posts the fields as a form; the CSRF token is added unless `_csrf` is given (null leaves it out). */
  post(path: string, fields: Record<string, string | null> = {}): Promise<Page> {
    const form = new URLSearchParams();
    const withToken = { _csrf: this.csrf, ...fields };
    for (const [name, value] of Object.entries(withToken)) if (value !== null) form.append(name, value);
    return this.request('POST', path, form.toString(), 'application/x-www-form-urlencoded');
  }

  /** Signs up (or logs in when sign-up is closed to this address) and returns the client, now logged in. */
  async signUp(email: string, password = 'long enough pw'): Promise<WebClient> {
    await this.get('/signup');
    const page = await this.post('/signup', { email, password, confirm: password });
    if (page.status !== 303) throw new Error(`sign-up of ${email} failed: ${page.status} ${page.text}`);
    await this.get('/domains');
    return this;
  }

  async login(email: string, password = 'long enough pw'): Promise<Page> {
    await this.get('/login');
    const page = await this.post('/login', { email, password });
    if (page.status === 303) await this.get('/domains');
    return page;
  }
}
