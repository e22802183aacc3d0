/**
 * The IMAP process under benchmark, a child of run.ts: its RSS is its own, and deliveries come from another
 * process, as in production. Plain JavaScript over the built packages (dist/), like the PM2 process, so no
 * TypeScript loader inflates the memory figures: build first (npx turbo run build --filter=@mailyard/imap...).
 * argv[2] is JSON: { dataDir, overrides }. Prints `listening <port>` when ready; answers 'memory' over IPC with process.memoryUsage().
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createImapServer } from '@mailyard/imap';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';

const { dataDir, overrides } = JSON.parse(process.argv[2] ?? '{}');
const config = loadConfig({ env: {}, overrides: { dataDir, ...overrides } });
const { masterKey, tls } = await ensureRuntimeFiles(config);
const logger = createLogger({ level: 'warn', name: 'imap-bench' });
const control = new SqliteControlStore({ dataDir, masterKey });
const mailstore = new Mailstore({ dataDir, logger });
const server = createImapServer({ config, logger, control, mailstore, tls });
const port = await server.listen(0, '127.0.0.1');
process.stdout.write(`listening ${port}\n`);
process.on('message', (message) => {
  if (message === 'memory') process.send?.(process.memoryUsage());
});
process.once('SIGTERM', () => {
  void server.close().then(async () => {
    await mailstore.close();
    await control.close();
    process.exit(0);
  });
});
