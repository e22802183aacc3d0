// The ManageSieve listener as a service hosted by another process (the imap process's main.ts starts it beside
// IMAP): it needs only what that process booted already, so it costs no Node process of its own.
import type { Config } from '@mailyard/config';
import type { LoginFailureStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { ManageSieveControl } from './context.js';
import { createManageSieveServer } from './server.js';

export interface ManageSieveHostDeps {
  config: Pick<Config, 'hostname' | 'allowInsecureAuth' | 'managesieve' | 'bind'>;
  logger: Logger;
  control: ManageSieveControl;
  tls?: { key: string; cert: string };
  /** Failed-login counters of ManageSieve's own scope (the host's coordination scoped again), never the host's. */
  loginFailures?: LoginFailureStore;
}

/** Listens on managesieve.port at config.bind; resolves with how to stop (BYE to every session, then close). */
export async function serveManageSieve(deps: ManageSieveHostDeps): Promise<() => Promise<void>> {
  const { config, logger } = deps;
  const service = createManageSieveServer(deps);
  const port = await service.listen(config.managesieve.port, config.bind);
  logger.info({ port, bind: config.bind }, 'managesieve listening');
  return () => service.close();
}
