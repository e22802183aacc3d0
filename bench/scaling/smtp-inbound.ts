/**
 * SMTP inbound msg/s with N instances of the mx process (cluster workers sharing one port, sharing per-IP and
 * per-sender counters through Redis): 4 KB messages over 20 concurrent sessions, each message counted at its 250
 * (the message is durably sealed in the mailbox's spool by then). The data dir, hosted domain and DNS responder are
 * bench/smtp's fixture, so the figure compares with `pnpm run smtp` (one process, no Redis).
 */
import { createFixture, type InboundRun, sendInbound } from '../smtp/mx-fixture.js';
import { startWorkers } from './cluster.js';

export const SMTP_SENDERS = 20;
export const SMTP_SIZE = 4 * 1024;

export async function measureSmtpInbound(instances: number, redisUrl: string, total: number): Promise<InboundRun> {
  const fixture = await createFixture();
  try {
    const mx = await startWorkers({
      app: 'smtp',
      args: ['mx'],
      count: instances,
      listening: 'mx listening',
      env: {
        MAILYARD_DATA_DIR: fixture.dir.path,
        MAILYARD_MASTER_KEY: fixture.masterKey.toString('hex'),
        MAILYARD_REDIS_URL: redisUrl,
        MAILYARD_SMTP_MX_PORT: '0',
        MAILYARD_DNS_RESOLVER: fixture.dns.address,
        MAILYARD_HOSTNAME: 'mx.bench.test',
        MAILYARD_SMTP_MESSAGES_PER_SENDER_PER_HOUR: '1000000',
        MAILYARD_SMTP_MAX_CONNECTIONS_PER_IP: '100',
        // Delivery itself is measured, as in bench/smtp (the spam checks' cost is in docs/spam.md).
        MAILYARD_SPAM_ENABLED: 'false',
      },
    });
    try {
      // Unmeasured warm-up: module loading, JIT and the first sessions of each instance.
      await sendInbound(mx.port, SMTP_SENDERS, SMTP_SIZE, 200);
      return await sendInbound(mx.port, SMTP_SENDERS, SMTP_SIZE, total);
    } finally {
      await mx.stop();
    }
  } finally {
    await fixture.close();
  }
}
