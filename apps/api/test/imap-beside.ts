/**
 * An IMAP server (or a POP3 server) beside the API on the harness's data directory, with a mail store of its own
 * (as the imap and pop3 processes have), so tests read back over IMAP or POP3 what the API stored or sent; and
 * imapflow clients for the IMAP one.
 */
import { type Config, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import { createImapServer } from '@mailyard/imap';
import type { Logger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createPop3Server } from '@mailyard/pop3';
import { captureLog } from '@mailyard/testkit';
import { ImapFlow } from 'imapflow';
import type { Harness } from './harness.js';

/** A server beside the API (IMAP or POP3): its port, and close() for it and its mail store. */
export interface ImapBeside {
  port: number;
  close(): Promise<void>;
}

/** A server beside the API: what createImapServer and createPop3Server both are. */
interface Listener {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

interface BesideDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  mailstore: Mailstore;
  tls: { key: string; cert: string };
}

async function startBeside(
  h: Harness,
  options: { notifyPollMs?: number },
  create: (deps: BesideDeps) => Listener,
): Promise<ImapBeside> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir: h.config.dataDir, hostname: 'localhost', allowInsecureAuth: true },
  });
  const store = new Mailstore({ dataDir: h.config.dataDir, kdf: { N: 1024 }, ...options });
  const server = create({
    config,
    logger: captureLog({ level: 'warn' }).logger,
    control: h.control,
    mailstore: store,
    tls: (await ensureRuntimeFiles(config)).tls,
  });
  const port = await server.listen(0, '127.0.0.1');
  return {
    port,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

export function startImapBeside(h: Harness, options: { notifyPollMs?: number } = {}): Promise<ImapBeside> {
  return startBeside(h, options, createImapServer);
}

/** A POP3 server beside the API (plain, on loopback). */
export function startPop3Beside(h: Harness, options: { notifyPollMs?: number } = {}): Promise<ImapBeside> {
  return startBeside(h, options, createPop3Server);
}

/** A logged-in imapflow client (plain, on loopback); the caller logs out. */
export async function imapClient(port: number, user: { address: string; password: string }): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.address, pass: user.password },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
