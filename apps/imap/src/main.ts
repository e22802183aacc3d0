/**
 * The imap process: reads configuration, opens the control store and the mail store, listens on imap.port
 * (STARTTLS) and imap.tlsPort (implicit TLS, RFC 8314) at config.bind, tells PM2 it is ready, and on SIGTERM or
 * SIGINT stops accepting, says BYE to open sessions, closes the stores and exits within 30 s.
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createImapLimits, createImapServer } from './server.js';

const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'imap' });
  const { masterKey, tls, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const mailstore = new Mailstore({
    dataDir: paths.root,
    quotaBytes: config.mailbox.quotaBytes,
    logger,
    kdf: { N: config.mailbox.kdfCost },
    idleCloseMs: config.mailbox.unlockGraceMs,
  });
  const deps = { config, logger, control, mailstore, tls, limits: createImapLimits(config) };
  const servers = [createImapServer(deps), createImapServer({ ...deps, secure: true })];
  const ports = [config.imap.port, config.imap.tlsPort];
  await Promise.all(servers.map((server, i) => server.listen(ports[i] ?? 0, config.bind)));
  logger.info({ port: config.imap.port, tlsPort: config.imap.tlsPort, bind: config.bind }, 'imap listening');
  process.send?.('ready');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'imap shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await Promise.all(servers.map((server) => server.close()));
    await mailstore.close();
    await control.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
