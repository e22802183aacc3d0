/**
 * IDLE latency: the time from a delivery's acknowledgement (the mail store's deliver() resolving, the moment the
 * MX sends its 250) to the `* N EXISTS` line at a client in IDLE on an imap process, with the change event carried
 * by Redis pub/sub (both sides coordinated over a private redis-server) or by the embedded notifier (the event
 * files under the data dir, fs.watch plus a poll). The delivering side runs in this process, through the same
 * deliver() the MX process calls; the imap process is one cluster worker of apps/imap/src/main.ts.
 */
import { createRedisCoordination, type RedisCoordination } from '@mailyard/coordination';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { body, createFixture, DOMAIN, MAILBOX_ID, PASSWORD } from '../smtp/mx-fixture.js';
import { startWorkers } from './cluster.js';
import { Wire } from './wire.js';

export interface IdleLatency {
  p50: number;
  p99: number;
  max: number;
  deliveries: number;
}

const GAP_MS = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function measureIdleLatency(
  transport: 'redis' | 'embedded',
  redisUrl: string,
  deliveries: number,
): Promise<IdleLatency> {
  const fixture = await createFixture();
  let coordination: RedisCoordination | undefined;
  let store: Mailstore | undefined;
  try {
    const imap = await startWorkers({
      app: 'imap',
      count: 1,
      listening: 'imap listening',
      env: {
        MAILYARD_DATA_DIR: fixture.dir.path,
        MAILYARD_MASTER_KEY: fixture.masterKey.toString('hex'),
        ...(transport === 'redis' ? { MAILYARD_REDIS_URL: redisUrl } : {}),
        MAILYARD_HOSTNAME: 'localhost',
        MAILYARD_ALLOW_INSECURE_AUTH: 'true',
        MAILYARD_IMAP_PORT: '0',
        MAILYARD_IMAP_TLS_PORT: '0',
        MAILYARD_MANAGESIEVE_PORT: '0',
      },
    });
    try {
      if (transport === 'redis') {
        const logger = createLogger({ level: 'warn', name: 'bench' });
        coordination = await createRedisCoordination({ url: redisUrl, dataDir: fixture.dir.path, logger });
        store = new Mailstore({ dataDir: fixture.dir.path, notifier: coordination.events });
      } else {
        store = fixture.mailstore;
      }
      const wire = await Wire.open(imap.port);
      await wire.command('L', `LOGIN "inbox@${DOMAIN}" "${PASSWORD}"`);
      await wire.command('S', 'SELECT INBOX');
      wire.socket.write('I IDLE\r\n');
      await wire.until(/^\+ /m);
      const latencies: number[] = [];
      for (let n = 1; n <= deliveries; n++) {
        await store.deliver(MAILBOX_ID, body(4096, n));
        const acknowledged = performance.now();
        await wire.until(new RegExp(`^\\* ${n} EXISTS`, 'm'));
        latencies.push(performance.now() - acknowledged);
        await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      }
      wire.socket.write('DONE\r\n');
      await wire.until(/^I OK/m);
      wire.socket.destroy();
      latencies.sort((a, b) => a - b);
      return {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? 0,
        deliveries,
      };
    } finally {
      await imap.stop();
    }
  } finally {
    if (store && store !== fixture.mailstore) await store.close();
    await coordination?.close();
    await fixture.close();
  }
}
