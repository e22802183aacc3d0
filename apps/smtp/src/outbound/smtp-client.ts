/**
 * One SMTP transaction to one remote host with nodemailer's SMTP client: opportunistic STARTTLS (RFC 3207), or
 * required and verified TLS when an MTA-STS policy enforces it (RFC 8461 §5). Replies become per-recipient
 * results; a connection that fails before any reply throws, so the caller tries the next MX address.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
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

export interface Transaction {
  from: string;
  to: string[];
  body: Buffer;
}

/** A failure before the remote said anything we can act on: try elsewhere. */
export class ConnectionFailure extends Error {}

type SmtpError = SMTPConnection.SMTPError & { recipient?: string; rejectedErrors?: SmtpError[] };

function connect(attempt: HostAttempt): Promise<SMTPConnection> {
  const connection = new SMTPConnection({
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

function send(connection: SMTPConnection, t: Transaction): Promise<SMTPConnection.SentMessageInfo> {
  return new Promise((resolve, reject) => {
    connection.send({ from: t.from, to: t.to }, t.body, (err, info) => (err ? reject(err) : resolve(info)));
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

function fromError(t: Transaction, err: SmtpError, host: string): RecipientResult[] {
  if (err.responseCode === undefined) throw new ConnectionFailure(err.message);
  const perRecipient = new Map((err.rejectedErrors ?? []).map((e) => [e.recipient ?? '', e]));
  return t.to.map((address) => resultOf(address, perRecipient.get(address) ?? err, host));
}

/** Delivers `t` through one host; throws ConnectionFailure when the host could not be talked to. */
export async function deliverToHost(attempt: HostAttempt, t: Transaction): Promise<RecipientResult[]> {
  const connection = await connect(attempt);
  try {
    return fromInfo(t, await send(connection, t), attempt.host);
  } catch (err) {
    return fromError(t, err as SmtpError, attempt.host);
  } finally {
    connection.quit();
    connection.close();
  }
}
