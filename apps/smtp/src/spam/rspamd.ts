/**
 * A client of rspamd's scan API (the normal worker's `POST /checkv2`, rspamd's HTTP protocol v2): the message is
 * streamed as the request body with the SMTP facts rspamd scores in request headers (IP, Helo, Hostname, From,
 * one Rcpt per recipient, Queue-Id), and the JSON reply gives rspamd's score, its action and its symbols.
 *
 * rspamd's actions, and what the MX makes of them (rspamdCheck):
 *   reject                      -> reject (550 before the 250)
 *   rewrite subject, add header -> junk (delivered to the Junk folder; the subject is never rewritten here)
 *   soft reject, greylist       -> defer (451, the sender retries)
 *   no action                   -> accept
 *
 * Every failure (connection refused, an HTTP error, a reply that is no rspamd JSON, the time limit) is an
 * ExternalError: the caller fails open. Plain node:http, no library: one request, one JSON reply.
 */
import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import type { Config } from '@mailyard/config';
import { ExternalError, type MinimalLogger } from '@mailyard/errors';
import type { SpamAction, SpamCheck, SpamCheckResult, SpamSymbol } from './verdict.js';

export type RspamdAction = 'reject' | 'soft reject' | 'rewrite subject' | 'add header' | 'greylist' | 'no action';

const ACTIONS: Record<RspamdAction, SpamAction> = {
  reject: 'reject',
  'soft reject': 'defer',
  greylist: 'defer',
  'rewrite subject': 'junk',
  'add header': 'junk',
  'no action': 'accept',
};

/** A JSON reply past this is no scan result (rspamd's list of symbols for one message is a few KiB). */
const MAX_REPLY_BYTES = 1024 * 1024;

export interface RspamdScan {
  /** The client's IP address. */
  ip: string;
  helo: string;
  /** The client's verified reverse DNS name, when there is one. */
  hostname?: string;
  /** MAIL FROM, '' for the null sender. */
  from: string;
  to: readonly string[];
  queueId?: string;
  size: number;
  body: AsyncIterable<Buffer>;
  signal?: AbortSignal;
}

export interface RspamdResult {
  action: RspamdAction;
  score: number;
  requiredScore: number;
  /** rspamd's symbols with a non-zero score, highest first, as `NAME(score)`. */
  symbols: string[];
  /** rspamd's text for the SMTP reply, when it has one (the `smtp_message` of a reject or soft reject). */
  smtpMessage: string | undefined;
}

export interface RspamdClient {
  readonly url: string;
  check(scan: RspamdScan): Promise<RspamdResult>;
}

export interface RspamdClientOptions {
  /** Base URL of rspamd's normal worker, e.g. http://127.0.0.1:11333. */
  url: string;
  timeoutMs: number;
}

function isAction(value: unknown): value is RspamdAction {
  return typeof value === 'string' && Object.hasOwn(ACTIONS, value);
}

function parseSymbols(symbols: unknown): string[] {
  if (typeof symbols !== 'object' || symbols === null) return [];
  const scored: { name: string; score: number }[] = [];
  for (const [name, value] of Object.entries(symbols)) {
    const score = (value as { score?: unknown } | null)?.score;
    if (typeof score === 'number' && score !== 0) scored.push({ name, score });
  }
  scored.sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || a.name.localeCompare(b.name));
  return scored.map((s) => `${s.name}(${Math.round(s.score * 100) / 100})`);
}

/** The reply's JSON as a result, or an ExternalError naming what is wrong with it. */
export function parseRspamdReply(text: string): RspamdResult {
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ExternalError('rspamd replied with something that is not JSON');
  }
  if (typeof reply !== 'object' || reply === null) throw new ExternalError('rspamd replied with no object');
  if (typeof reply.error === 'string') throw new ExternalError(`rspamd could not scan the message: ${reply.error}`);
  const { action, score } = reply;
  if (!isAction(action) || typeof score !== 'number') {
    throw new ExternalError('rspamd replied without an action and a score');
  }
  const messages = reply.messages as { smtp_message?: unknown } | undefined;
  return {
    action,
    score: Math.round(score * 100) / 100,
    requiredScore: typeof reply.required_score === 'number' ? reply.required_score : Number.NaN,
    symbols: parseSymbols(reply.symbols),
    smtpMessage: typeof messages?.smtp_message === 'string' ? messages.smtp_message : undefined,
  };
}

function withoutControls(text: string): string {
  return [...text].filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join('');
}

function scanHeaders(scan: RspamdScan): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {
    'Content-Length': String(scan.size),
    IP: scan.ip,
    Helo: scan.helo,
    From: scan.from === '' ? '<>' : scan.from,
  };
  if (scan.to.length > 0) headers.Rcpt = [...scan.to];
  if (scan.hostname) headers.Hostname = scan.hostname;
  if (scan.queueId) headers['Queue-Id'] = scan.queueId;
  // node:http sends header values as latin1: UTF-8 text (SMTPUTF8 addresses) goes as its bytes, control
  // characters never.
  for (const [name, value] of Object.entries(headers)) {
    const asBytes = (v: string) => Buffer.from(withoutControls(v), 'utf8').toString('latin1');
    headers[name] = Array.isArray(value) ? value.map(asBytes) : asBytes(value);
  }
  return headers;
}

export function createRspamdClient(options: RspamdClientOptions): RspamdClient {
  const endpoint = new URL('checkv2', options.url.endsWith('/') ? options.url : `${options.url}/`);
  const send = endpoint.protocol === 'https:' ? requestTls : request;
  const check = (scan: RspamdScan): Promise<RspamdResult> =>
    new Promise<RspamdResult>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, result?: RspamdResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        scan.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err instanceof ExternalError ? err : new ExternalError(`rspamd: ${err.message}`, { cause: err }));
        } else if (result) resolve(result);
      };
      const timer = setTimeout(
        () => finish(new ExternalError(`rspamd did not answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      const onAbort = () => finish(new ExternalError('rspamd scan abandoned: the spam checks ran out of time'));
      scan.signal?.addEventListener('abort', onAbort, { once: true });
      const req = send(endpoint, { method: 'POST', headers: scanHeaders(scan) }, (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > MAX_REPLY_BYTES) return finish(new ExternalError('rspamd reply too large'));
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(err));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            const detail = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ');
            return finish(new ExternalError(`rspamd answered HTTP ${res.statusCode}: ${detail}`));
          }
          try {
            finish(null, parseRspamdReply(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            finish(err as Error);
          }
        });
      });
      req.on('error', (err) => finish(err));
      if (scan.signal?.aborted) return onAbort();
      writeBody(req, scan.body).catch((err: unknown) => finish(err as Error));
    });
  return { url: options.url, check };
}

/** Streams the body into the request, waiting for 'drain' when the socket is full. */
async function writeBody(req: ReturnType<typeof request>, body: AsyncIterable<Buffer>): Promise<void> {
  for await (const piece of body) {
    if (req.destroyed) return;
    if (!req.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
  if (!req.destroyed) req.end();
}

/** rspamd's verdict as one zero-score symbol that names its action and score, for the X-Spam-Status header. */
function verdictSymbol(result: RspamdResult): SpamSymbol {
  const required = Number.isNaN(result.requiredScore) ? '' : ` of ${result.requiredScore}`;
  const top = result.symbols.slice(0, 10).join(' ');
  return {
    name: `RSPAMD_${result.action.toUpperCase().replace(/\W/g, '_')}`,
    score: 0,
    description: `rspamd: ${result.action}, score ${result.score}${required}${top ? `: ${top}` : ''}`,
  };
}

export interface RspamdCheckOptions {
  /** Messages larger than this are not sent to rspamd (rspamd.maxScanBytes). */
  maxScanBytes: number;
  /** Where a failure is logged as a warning (the MX's logger). */
  log?: MinimalLogger;
}

/**
 * The spam check that asks rspamd, as the full engine (verdict.ts `engineScore`): when rspamd answers, its score
 * and its action (see the table above) stand instead of the built-in sum and thresholds. A message over
 * maxScanBytes is not sent (RSPAMD_NOT_SCANNED) and a failure throws (the combiner records RSPAMD_FAILED): in both
 * cases the built-in checks decide alone (fail open).
 */
export function rspamdCheck(client: RspamdClient, options: RspamdCheckOptions): SpamCheck {
  return {
    name: 'rspamd',
    async check(input): Promise<SpamCheckResult> {
      if (input.size > options.maxScanBytes) {
        const why = `message of ${input.size} bytes is over rspamd.maxScanBytes (${options.maxScanBytes}): not scanned`;
        return { symbols: [{ name: 'RSPAMD_NOT_SCANNED', score: 0, description: why }] };
      }
      const result = await client
        .check({
          ip: input.client.ip,
          helo: input.client.helo,
          from: input.envelope.from,
          to: input.envelope.to,
          size: input.size,
          body: input.read(),
          signal: input.signal,
        })
        .catch((err: unknown) => {
          options.log?.warn({ err, rspamd: client.url }, 'rspamd unavailable: the built-in spam checks decide alone');
          throw err;
        });
      const action = ACTIONS[result.action];
      const reason =
        action === 'reject'
          ? `Message refused as spam${result.smtpMessage ? `: ${result.smtpMessage}` : ''}`
          : action === 'defer'
            ? `Try again later${result.smtpMessage ? `: ${result.smtpMessage}` : ''}`
            : undefined;
      return {
        symbols: [verdictSymbol(result)],
        engineScore: result.score,
        ...(action === 'accept' ? {} : { action }),
        ...(reason ? { reason } : {}),
      };
    },
  };
}

/** The rspamd check of config rspamd.* (none when rspamd.url is unset); it gets the spam checks' time limit. */
export function rspamdChecks(config: Config, log: MinimalLogger): SpamCheck[] {
  const { url, maxScanBytes } = config.rspamd;
  if (!url) return [];
  const client = createRspamdClient({ url, timeoutMs: config.spam.timeoutMs });
  return [rspamdCheck(client, { maxScanBytes, log })];
}
