/**
 * Delivery status notification requests (RFC 3461): the RET and ENVID parameters of MAIL FROM and the NOTIFY and
 * ORCPT parameters of each RCPT TO, read from the smtp-server session, kept with the queued message, relayed to
 * a next hop that supports DSN (§6.2) and honoured when a recipient fails (§5.2: NOTIFY=NEVER, no report).
 */
import type { DsnNotify, QueueDsn, QueueItem } from '@mailyard/control';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { Envelope, RelayedDsn } from './smtp-client.js';

/**
 * What smtp-server 3.x records when DSN is advertised (its type definitions leave it out): values already
 * decoded from xtext (RFC 3461 §4), control characters refused.
 */
interface DsnSession {
  envelope: {
    dsn?: { ret?: string | null; envid?: string | null };
    rcptTo: Array<SMTPServerAddress & { dsn?: { notify?: string[]; orcpt?: string } }>;
  };
}

function notifyOf(values: string[] | undefined): DsnNotify[] | undefined {
  const known = (values ?? []).filter((v): v is DsnNotify => ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'].includes(v));
  return known.length > 0 ? known : undefined;
}

/** The DSN parameters of `addresses` in this session, or undefined when the client gave none. */
export function dsnOfSession(session: SMTPServerSession, addresses: string[]): QueueDsn | undefined {
  const { envelope } = session as unknown as DsnSession;
  const wanted = new Set(addresses);
  const recipients: NonNullable<QueueDsn['recipients']> = {};
  for (const rcpt of envelope.rcptTo) {
    if (!wanted.has(rcpt.address) || !rcpt.dsn) continue;
    const notify = notifyOf(rcpt.dsn.notify);
    const orcpt = rcpt.dsn.orcpt || undefined;
    if (notify || orcpt) recipients[rcpt.address] = { ...(notify ? { notify } : {}), ...(orcpt ? { orcpt } : {}) };
  }
  const ret = envelope.dsn?.ret === 'FULL' || envelope.dsn?.ret === 'HDRS' ? envelope.dsn.ret : undefined;
  const envid = envelope.dsn?.envid || undefined;
  const dsn: QueueDsn = {
    ...(ret ? { ret } : {}),
    ...(envid ? { envid } : {}),
    ...(Object.keys(recipients).length > 0 ? { recipients } : {}),
  };
  return Object.keys(dsn).length > 0 ? dsn : undefined;
}

function relayedFor(dsn: QueueDsn | undefined, address: string): RelayedDsn | undefined {
  const rcpt = dsn?.recipients?.[address];
  const relayed: RelayedDsn = {
    ...(dsn?.ret ? { ret: dsn.ret } : {}),
    ...(dsn?.envid ? { envid: dsn.envid } : {}),
    ...(rcpt?.notify ? { notify: rcpt.notify } : {}),
    ...(rcpt?.orcpt ? { orcpt: rcpt.orcpt } : {}),
  };
  return Object.keys(relayed).length > 0 ? relayed : undefined;
}

/**
 * The recipients grouped into transactions: nodemailer sends one NOTIFY/ORCPT for every RCPT of a transaction,
 * so recipients with different parameters (any ORCPT) travel in transactions of their own.
 */
export function envelopesFor(dsn: QueueDsn | undefined, addresses: string[]): Envelope[] {
  const groups = new Map<string, Envelope>();
  for (const address of addresses) {
    const relayed = relayedFor(dsn, address);
    const key = JSON.stringify(relayed ?? null);
    const group = groups.get(key);
    if (group) group.to.push(address);
    else groups.set(key, { to: [address], ...(relayed ? { dsn: relayed } : {}) });
  }
  return [...groups.values()];
}

/** RFC 3461 §4.1: without NOTIFY a failure is reported; NOTIFY=NEVER (or a list without FAILURE) asks for none. */
export function wantsFailureReport(item: QueueItem, address: string): boolean {
  const notify = item.dsn?.recipients?.[address]?.notify;
  return !notify || notify.includes('FAILURE');
}
