/**
 * One SMTP transaction to one remote host with nodemailer's SMTP client: opportunistic STARTTLS (RFC 3207), or
 * required and verified TLS when an MTA-STS policy enforces it (RFC 8461 §5). Replies become per-recipient
 * results; a connection that fails before any reply throws, so the caller tries the next MX address.
 */
import { Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { PooledConnection, SmtpConnectionPool } from './connection-pool.js';
import { enhancedOf, type RecipientResult, statusOfReply } from './results.js';

export interface HostAttempt {
  /** IP address to connect to. */
  address: string;
  /** MX host name: TLS server name (SNI, certificate check) and Remote-MTA of a bounce. */
  host: string;
  port: number;
  /** Our name in EHLO (config hostname). */
  heloName: string;
  requireTls: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
}

/** RFC 3461 parameters relayed to a next hop that supports DSN (nodemailer adds them only then). */
export interface RelayedDsn {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  notify?: string[];
  orcpt?: string;
}

/** One SMTP transaction: recipients that share their DSN parameters. */
export interface Envelope {
  to: string[];
  dsn?: RelayedDsn;
}

export interface Transaction {
  from: string;
  to: string[];
  body: Buffer;
  dsn?: RelayedDsn;
}

/** A failure before the remote said anything we can act on: try elsewhere. */
export class ConnectionFailure extends Error {}

type SmtpError = SMTPConnection.SMTPError & { recipient?: string; rejectedErrors?: SmtpError[] };

function connect(attempt: HostAttempt): Promise<SMTPConnection> {
  // Commands are written as soon as they are ready (PIPELINING, the final dot): without TCP_NODELAY, Nagle's
  // algorithm holds the last small write until the remote's delayed ACK, about 40 ms per transaction.
  const socket = new Socket();
  socket.setNoDelay(true);
  const connection = new SMTPConnection({
    socket,
    host: attempt.address,
    port: attempt.port,
    name: attempt.heloName,
    secure: false,
    requireTLS: attempt.requireTls,
    opportunisticTLS: !attempt.requireTls,
    tls: { servername: attempt.host, rejectUnauthorized: attempt.requireTls },
    connectionTimeout: attempt.connectTimeoutMs,
    greetingTimeout: attempt.connectTimeoutMs,
    socketTimeout: attempt.timeoutMs,
    logger: false,
  });
  return new Promise((resolve, reject) => {
    connection.once('error', (err: Error) => reject(new ConnectionFailure(err.message)));
    connection.connect(() => {
      connection.removeAllListeners('error');
      connection.on('error', () => undefined);
      resolve(connection);
    });
  });
}

/** nodemailer's types spell RET=FULL as 'Full'; it upper-cases the value on the wire. */
function dsnOptions(dsn: RelayedDsn): SMTPConnection.DSNOptions {
  const { ret, notify, ...rest } = dsn;
  return {
    ...rest,
    ...(ret ? { ret: ret === 'FULL' ? 'Full' : 'HDRS' } : {}),
    ...(notify ? { notify: notify as SMTPConnection.DSNOption[] } : {}),
  };
}

function send(connection: SMTPConnection, t: Transaction): Promise<SMTPConnection.SentMessageInfo> {
  return new Promise((resolve, reject) => {
    const envelope = { from: t.from, to: t.to, ...(t.dsn ? { dsn: dsnOptions(t.dsn) } : {}) };
    // A session that breaks mid-transaction reports it as an 'error' or 'end' event, not to send's callback.
    const broken = (err?: Error) => finish(err ?? new Error('connection closed during the transaction'));
    const finish = (err: Error | null, info?: SMTPConnection.SentMessageInfo) => {
      connection.off('error', broken);
      connection.off('end', broken);
      if (err || !info) reject(err ?? new Error('no reply'));
      else resolve(info);
    };
    connection.once('error', broken);
    connection.once('end', broken);
    connection.send(envelope, t.body, (err, info) => finish(err, info));
  });
}

function resultOf(address: string, err: SmtpError, host: string): RecipientResult {
  return {
    address,
    status: statusOfReply(err.responseCode),
    diagnostic: err.response ?? err.message,
    statusCode: enhancedOf(err.response, err.responseCode),
    remoteMta: host,
  };
}

function fromInfo(t: Transaction, info: SMTPConnection.SentMessageInfo, host: string): RecipientResult[] {
  const rejected = new Map<string, SmtpError>();
  for (const err of (info.rejectedErrors ?? []) as SmtpError[]) if (err.recipient) rejected.set(err.recipient, err);
  return t.to.map((address) => {
    const err = rejected.get(address);
    if (err) return resultOf(address, err, host);
    return { address, status: 'delivered', diagnostic: info.response, statusCode: '2.0.0', remoteMta: host };
  });
}

/** No reply at all, or 421 (the host is closing the session, RFC 5321 §3.8): a session failure, not a verdict. */
function fromError(t: Transaction, err: SmtpError, host: string): RecipientResult[] {
  if (err.responseCode === undefined || err.responseCode === 421) throw new ConnectionFailure(err.message);
  const perRecipient = new Map((err.rejectedErrors ?? []).map((e) => [e.recipient ?? '', e]));
  return t.to.map((address) => resultOf(address, perRecipient.get(address) ?? err, host));
}

function poolKey(attempt: HostAttempt): string {
  return [attempt.address, attempt.port, attempt.host, attempt.requireTls ? 'tls' : 'opportunistic'].join('|');
}

/** One transaction on a pooled session; the session goes back to the pool only after a clean transaction. */
async function transact(pool: SmtpConnectionPool, pooled: PooledConnection, t: Transaction, host: string) {
  try {
    const results = fromInfo(t, await send(pooled.connection, t), host);
    pool.release(pooled, true);
    return results;
  } catch (err) {
    pool.release(pooled, false);
    return fromError(t, err as SmtpError, host);
  }
}

/** A reused session the remote dropped (or closed with 421) while idle fails: retry once on a fresh one. */
async function transactFresh(pool: SmtpConnectionPool, attempt: HostAttempt, t: Transaction) {
  const key = poolKey(attempt);
  const pooled = await pool.acquire(key, () => connect(attempt));
  try {
    return await transact(pool, pooled, t, attempt.host);
  } catch (err) {
    if (!(err instanceof ConnectionFailure) || pooled.sent === 0) throw err;
    return transact(pool, await pool.acquire(key, () => connect(attempt)), t, attempt.host);
  }
}

/**
 * Delivers each envelope of a message through one host, one transaction each, on pooled sessions. Throws
 * ConnectionFailure when the host could not be talked to for the first envelope (the caller tries the next
 * address); a later envelope that hits a broken session is deferred instead, as the first ones already went.
 */
export async function deliverToHost(
  attempt: HostAttempt,
  pool: SmtpConnectionPool,
  message: { from: string; body: Buffer; envelopes: Envelope[] },
): Promise<RecipientResult[]> {
  const results: RecipientResult[] = [];
  for (const [index, envelope] of message.envelopes.entries()) {
    const t: Transaction = { from: message.from, body: message.body, ...envelope };
    try {
      results.push(...(await transactFresh(pool, attempt, t)));
    } catch (err) {
      if (!(err instanceof ConnectionFailure) || index === 0) throw err;
      results.push(...deferredAll(t.to, `${attempt.host}: ${err.message}`));
    }
  }
  return results;
}

function deferredAll(to: string[], diagnostic: string): RecipientResult[] {
  return to.map((address) => ({ address, status: 'deferred', diagnostic, statusCode: '4.4.2' }));
}
