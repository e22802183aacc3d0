// The one alert path of the jobs process: health alerts from the monitor, check-pm2 findings, job failures and
// queue checks all go through alert(level, message, details). Every alert is logged; when alerts.adminEmail is
// set, warn and error alerts are also mailed to the administrator through the server's own outbound queue
// (control.enqueue), so they leave with the same DKIM signing and retries as any other mail.
// The same message is mailed at most once per repeatMs (default 1 h) so a flapping check cannot flood a mailbox.
import { randomBytes } from 'node:crypto';
import type { NewQueueItem } from '@mailyard/control';
import type { MinimalLogger } from '@mailyard/errors';
import type { AlertFn, AlertLevel } from '@mailyard/monitor';

export type { AlertFn, AlertLevel };

export interface AlerterOptions {
  logger: MinimalLogger;
  /** Where to mail alerts; unset: alerts are only logged. */
  adminEmail?: string;
  /** This server's hostname: the sender is postmaster@<hostname>. */
  hostname: string;
  /** The outbound queue (ControlStore.enqueue); absent when no control store is open. */
  enqueue?: (item: NewQueueItem) => Promise<unknown>;
  processName?: string;
  repeatMs?: number;
  now?: () => number;
}

const MAILED_LEVELS: ReadonlySet<AlertLevel> = new Set(['warn', 'error']);

/** A plain-text RFC 5322 message; header values are kept to one line so details cannot inject headers. */
export function alertMessage(opts: {
  from: string;
  to: string;
  level: AlertLevel;
  message: string;
  details: Record<string, unknown>;
  hostname: string;
  at: Date;
}): Buffer {
  const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const lines = [
    `From: Mailyard <${opts.from}>`,
    `To: ${opts.to}`,
    `Subject: [mailyard ${opts.level}] ${oneLine(opts.message)}`,
    `Date: ${opts.at.toUTCString()}`,
    `Message-ID: <alert.${randomBytes(8).toString('hex')}@${opts.hostname}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Auto-Submitted: auto-generated', // RFC 3834 §5: no auto-replies to this
    '',
    `${opts.message}`,
    '',
    JSON.stringify(opts.details, null, 2),
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

export function createAlerter(options: AlerterOptions): AlertFn {
  const { logger, adminEmail, enqueue, hostname } = options;
  const repeatMs = options.repeatMs ?? 3600_000;
  const now = options.now ?? Date.now;
  const lastMailed = new Map<string, number>();

  function shouldMail(level: AlertLevel, message: string): boolean {
    if (!adminEmail || !enqueue || !MAILED_LEVELS.has(level)) return false;
    const last = lastMailed.get(message);
    if (last !== undefined && now() - last < repeatMs) return false;
    lastMailed.set(message, now());
    return true;
  }

  return (level, message, details) => {
    const fields = { alert: true, ...details, ...(options.processName ? { processName: options.processName } : {}) };
    logger[level](fields, message);
    if (!shouldMail(level, message) || !adminEmail || !enqueue) return;
    const from = `postmaster@${hostname}`;
    const body = alertMessage({ from, to: adminEmail, level, message, details: fields, hostname, at: new Date(now()) });
    enqueue({ envelopeFrom: from, recipients: [adminEmail], body }).catch((err: unknown) =>
      logger.error({ err, message }, 'alert could not be queued for the administrator'),
    );
  };
}
