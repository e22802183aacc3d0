/**
 * The MX of bench/smtp/sieve.ts in a process of its own (run from source through tsx), so the bench can read the
 * MX's own CPU time from /proc apart from its clients'. Built like the mx process builds it: config, the control
 * store and mail store of the data dir, createMxServer with its default (control store) Sieve wiring.
 */
import { createSelfSignedPair, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createMxServer } from '@mailyard/smtp';

const dataDir = process.env.BENCH_DATA_DIR ?? '';
const masterKey = Buffer.from(process.env.BENCH_MASTER_KEY ?? '', 'hex');
const config = loadConfig({
  env: {},
  overrides: {
    dataDir,
    hostname: 'mx.bench.test',
    dns: { resolver: process.env.BENCH_DNS ?? '' },
    smtp: { maxConnectionsPerIp: 100 },
  },
});
const control = new SqliteControlStore({ dataDir, masterKey });
const mailstore = new Mailstore({ dataDir });
const mx = createMxServer({
  config,
  logger: createLogger({ level: 'warn' }),
  control,
  mailstore,
  masterKey,
  tls: createSelfSignedPair('mx.bench.test'),
  limits: { mxMessagesPerIpPerHour: 1_000_000 },
});
const port = await mx.listen(0, '127.0.0.1');
process.send?.({ port });
process.once('SIGTERM', () => {
  void mx
    .close(1000)
    .then(() => mailstore.close())
    .then(() => control.close())
    .then(() => process.exit(0));
});
