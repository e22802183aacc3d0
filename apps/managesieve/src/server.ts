/**
 * createManageSieveServer(deps): the ManageSieve listener (RFC 5804), plain TCP with STARTTLS (§2.2; there is no
 * implicit-TLS port for ManageSieve). Importing this starts nothing; main.ts and the tests call the factory.
 * Connections over managesieve.maxConnections, or over managesieve.maxConnectionsPerIp from one address, get
 * BYE (TRYLATER) at once. close() stops accepting, says BYE to every session and ends them.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { type Config, createSelfSignedPair } from '@mailyard/config';
import { ConnectionCounter, type LoginFailureStore, LoginGate, MemoryLoginFailureStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { ManageSieveContext, ManageSieveControl } from './context.js';
import { response } from './protocol/writer.js';
import { Session } from './session.js';

export interface ManageSieveServerDeps {
  config: Pick<Config, 'hostname' | 'allowInsecureAuth' | 'managesieve'>;
  logger: Logger;
  control: ManageSieveControl;
  /** PEM key and certificate for STARTTLS; a self-signed pair for config.hostname when absent. */
  tls?: { key: string; cert: string };
  /** Where failed logins are counted (this process's memory by default). */
  loginFailures?: LoginFailureStore;
}

export interface ManageSieveService {
  /** Resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, says BYE to every session and ends it. */
  close(): Promise<void>;
  readonly sessions: number;
  readonly server: Server;
}

export function createManageSieveServer(deps: ManageSieveServerDeps): ManageSieveService {
  const settings = deps.config.managesieve;
  const logger = deps.logger.child({ component: 'managesieve' });
  const pair = deps.tls ?? createSelfSignedPair(deps.config.hostname);
  const failures = settings.authFailuresPerIpPerHour;
  const ctx: Omit<ManageSieveContext, 'logger'> = {
    control: deps.control,
    loginGate: new LoginGate({
      perIp: failures,
      perUserIp: failures,
      store: deps.loginFailures ?? new MemoryLoginFailureStore(),
    }),
    secureContext: createSecureContext({ key: pair.key, cert: pair.cert }),
    allowInsecureAuth: deps.config.allowInsecureAuth,
  };
  const perIp = new ConnectionCounter(settings.maxConnectionsPerIp);
  const sessions = new Set<Session>();
  let nextId = 0;

  const accept = (socket: Socket) => {
    const release = perIp.acquire(socket.remoteAddress ?? '');
    if (!release || sessions.size >= settings.maxConnections) {
      release?.();
      socket.on('error', () => {});
      socket.end(response('BYE', 'Too many connections, try again later', 'TRYLATER'));
      return;
    }
    const cid = (++nextId).toString(36);
    const session = new Session(socket, { ...ctx, logger: logger.child({ cid }) }, settings.idleTimeoutMs);
    sessions.add(session);
    socket.once('close', () => {
      sessions.delete(session);
      release();
    });
  };
  const server = createServer(accept);

  return {
    server,
    get sessions() {
      return sessions.size;
    },
    listen: (port, host) => listen(server, port, host),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.bye('Server shutting down', 'TRYLATER');
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
