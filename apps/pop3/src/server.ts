/**
 * createPop3Server(deps): one POP3 listener (RFC 1939) over the mail store, either plain with STLS (RFC 2595) or
 * implicit TLS (RFC 8314, `secure`). Importing this starts nothing; main.ts and the tests call the factory.
 */
import type { Server } from 'node:net';
import { type Config, createSelfSignedPair } from '@mailyard/config';
import type { Logger } from '@mailyard/logger';
import { openConnection } from '@mailyard/monitor';
import { listenServer } from '@mailyard/runtime';
import type { Pop3Context, Pop3Control, Pop3Mailstore } from './context.js';
import { onAuth } from './handlers/on-auth.js';
import { onFetchMessage, readMessage } from './handlers/on-fetch-message.js';
import { onListMessages } from './handlers/on-list-messages.js';
import { onUpdate } from './handlers/on-update.js';
import { POP3_LIMITS } from './limits.js';
import { OpenMailboxes } from './open-mailboxes.js';
import { createPop3Limits, type Pop3Limits } from './session-limits.js';
import { WildduckPop3Server } from './wildduck-pop3.js';

export interface Pop3Deps {
  config: Pick<Config, 'hostname' | 'allowInsecureAuth' | 'pop3' | 'limits'>;
  logger: Logger;
  control: Pop3Control;
  mailstore: Pop3Mailstore;
  /** Implicit TLS on every connection (port 995 style); otherwise plain text with STLS. */
  secure?: boolean;
  /** PEM key and certificate; a self-signed pair for config.hostname when absent. */
  tls?: { key: string; cert: string };
  /** Failed-login gate, connection counters and maildrop lock; share one set between a process's listeners. */
  limits?: Pop3Limits;
  closeTimeoutMs?: number;
}

export interface Pop3Server {
  /** Resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, lets sessions finish for up to closeTimeoutMs, then ends them and releases their mailboxes. */
  close(): Promise<void>;
  /** Unlocked mailboxes held by connections right now. */
  readonly openMailboxes: number;
  readonly server: Server;
}

export function createPop3Server(deps: Pop3Deps): Pop3Server {
  const logger = deps.logger.child({ component: 'pop3' });
  const ctx: Pop3Context = {
    logger,
    control: deps.control,
    mailstore: deps.mailstore,
    limits: deps.limits ?? createPop3Limits(deps.config),
    mailboxes: new OpenMailboxes(),
  };
  const tls = deps.tls ?? createSelfSignedPair(deps.config.hostname);
  const pop3 = new WildduckPop3Server(
    {
      secure: deps.secure === true,
      key: tls.key,
      cert: tls.cert,
      // wildduck refuses USER and AUTH before STLS unless this is set (RFC 2595 §2: servers may require TLS).
      ignoreSTARTTLS: deps.config.allowInsecureAuth,
      disableVersionString: true,
      id: { name: 'Mailyard POP3' },
      socketTimeout: deps.config.pop3.idleTimeoutMs,
      closeTimeout: deps.closeTimeoutMs ?? POP3_LIMITS.closeTimeoutMs,
      // wildduck adds `component` to every line itself; the child logger would repeat it.
      logger: deps.logger,
      component: 'pop3',
      onAuth: onAuth(ctx),
      onListMessages: onListMessages(ctx),
      onFetchMessage: onFetchMessage(ctx),
      onUpdate: onUpdate(ctx),
    },
    {
      logger,
      readMessage: readMessage(ctx),
      onSessionStart: (connectionId, remoteAddress) => {
        const releaseIp = ctx.limits.perIp.acquire(remoteAddress);
        if (!releaseIp) return false;
        ctx.mailboxes.begin(connectionId);
        ctx.mailboxes.retain(connectionId, releaseIp);
        ctx.mailboxes.retain(connectionId, openConnection('pop3'));
        return true;
      },
      onSessionEnd: (connectionId) => ctx.mailboxes.end(connectionId),
      onSignOff: (connectionId) => ctx.mailboxes.end(connectionId),
      pace: {
        commandTimeoutMs: deps.config.limits.timeoutMs,
        minBytesPerSecond: deps.config.limits.minTransferBytesPerSecond,
      },
      maxConnections: deps.config.pop3.maxConnections,
    },
  );
  // Sockets still in their TLS handshake are no sessions yet; this bounds them too (Node drops the excess).
  pop3.server.maxConnections = deps.config.pop3.maxConnections + POP3_LIMITS.handshakesInFlight;

  return {
    server: pop3.server,
    get openMailboxes() {
      return ctx.mailboxes.size;
    },
    listen: (port, host) => listenServer(pop3.server, port, host),
    close: () =>
      new Promise<void>((resolve) => {
        pop3.close(() => {
          ctx.mailboxes.endAll();
          resolve();
        });
      }),
  };
}
