/**
 * The imap process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring with
 * /metrics and /health on metrics.imapPort), listens on imap.port (STARTTLS) and imap.tlsPort (implicit TLS,
 * RFC 8314) at config.bind, tells PM2 it is ready, and on SIGTERM or SIGINT stops accepting, says BYE to open
 * sessions, stops monitoring, closes the stores and exits within 30 s.
 */
import { bootProcess } from '@mailyard/runtime';
import { createImapLimits, createImapServer } from './server.js';

async function main(): Promise<void> {
  const booted = await bootProcess({ processName: 'imap' });
  const { config, logger, control, mailstore, runtime } = booted;
  const deps = { config, logger, control, mailstore, tls: runtime.tls, limits: createImapLimits(config) };
  const servers = [createImapServer(deps), createImapServer({ ...deps, secure: true })];
  const ports = [config.imap.port, config.imap.tlsPort];
  await Promise.all(servers.map((server, i) => server.listen(ports[i] ?? 0, config.bind)));
  logger.info({ port: config.imap.port, tlsPort: config.imap.tlsPort, bind: config.bind }, 'imap listening');
  booted.serveUntilSignalled(() => Promise.all(servers.map((server) => server.close())));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
