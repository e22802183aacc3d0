/**
 * The one failed-login gate (@mailyard/limits LoginGate) in front of IMAP LOGIN and AUTHENTICATE: with
 * imap.authFailuresPerIpPerHour = N, exactly N failed logins from one address have their password checked; the
 * (N+1)th, even with the right password, gets NO [LIMIT] and the control store is not asked.
 */
import { MemoryLoginFailureStore } from '@mailyard/limits';
import { captureLog } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ImapDeps } from '../src/context.js';
import { createImapLimits, createImapServer, type ImapServer } from '../src/server.js';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { openWire } from './wire-client.js';

const N = 3;
let h: Harness;
let server: ImapServer;
let port: number;
let user: TestUser;
/** Calls of the control store's password check made by `server`. */
let passwordChecks = 0;

/** The real control store, with its password check counted. */
function counted(control: ImapDeps['control']): ImapDeps['control'] {
  return {
    resolveRecipient: (address) => control.resolveRecipient(address),
    findAccountByEmail: (email) => control.findAccountByEmail(email),
    setAliasQuota: (aliasId, patch) => control.setAliasQuota(aliasId, patch),
    verifyMailboxPassword: (address, password) => {
      passwordChecks += 1;
      return control.verifyMailboxPassword(address, password);
    },
  };
}

beforeAll(async () => {
  h = await startHarness({ imap: { authFailuresPerIpPerHour: N } });
  user = await h.addUser('gated');
  const config = h.config;
  const { logger } = captureLog({ level: 'info' });
  server = createImapServer({
    config,
    logger,
    control: counted(h.control),
    mailstore: h.mailstore,
    tls: h.tls,
    limits: createImapLimits(config, new MemoryLoginFailureStore()),
  });
  port = await server.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

test(`${N} failed logins from one address are checked; the next is refused without a password check`, async () => {
  const wire = await openWire(port);
  for (let i = 1; i <= N; i++) {
    const tag = `F${i}`;
    expect(await wire.command(tag, `LOGIN ${user.address} wrong${i}`)).toMatch(
      new RegExp(`^${tag} NO \\[AUTHENTICATIONFAILED\\]`, 'm'),
    );
  }
  expect(passwordChecks).toBe(N);
  const auth = Buffer.from(`\0${user.address}\0${user.password}`).toString('base64');
  expect(await wire.command('R1', `AUTHENTICATE PLAIN ${auth}`)).toMatch(/^R1 NO \[LIMIT\]/m);
  expect(await wire.command('R2', `LOGIN ${user.address} "${user.password}"`)).toMatch(/^R2 NO \[LIMIT\]/m);
  expect(passwordChecks).toBe(N);
  wire.close();
});
