/**
 * An IMAP server beside the API on the harness's data directory, with a mail store of its own (as the imap process
 * has), so tests read back over IMAP what the API stored or sent; and imapflow clients for it.
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { createImapServer } from '@mailyard/imap';
import { Mailstore } from '@mailyard/mailstore';
import { captureLog } from '@mailyard/testkit';
import { ImapFlow } from 'imapflow';
import type { Harness } from './harness.js';

export interface ImapBeside {
  port: number;
  close(): Promise<void>;
}

export async function startImapBeside(h: Harness, options: { notifyPollMs?: number } = {}): Promise<ImapBeside> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir: h.config.dataDir, hostname: 'localhost', allowInsecureAuth: true },
  });
  const store = new Mailstore({ dataDir: h.config.dataDir, kdf: { N: 1024 }, ...options });
  const imap = createImapServer({
    config,
    logger: captureLog({ level: 'warn' }).logger,
    control: h.control,
    mailstore: store,
    tls: (await ensureRuntimeFiles(config)).tls,
  });
  const port = await imap.listen(0, '127.0.0.1');
  return {
    port,
    close: async () => {
      await imap.close();
      await store.close();
    },
  };
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
