/**
 * Login timing (issue 12 item 7): an unknown user, a wrong password and a right one each cost one run of the
 * mailbox KDF, so the time a login takes does not tell which users exist. Counted, not timed: the mail store
 * counts its scrypt runs per parameter set (kdfRunCount), and the control store's own check is the control
 * store's business.
 */
import { kdfRunCount } from '@mailyard/mailstore';
import { waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { ADDRESS, MAILBOX_ID, PASSWORD, type Pop3Fixture, startPop3, TEST_KDF } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

let f: Pop3Fixture | undefined;
afterEach(async () => {
  expect(f?.codeBugs()).toEqual([]);
  await f?.close();
  f = undefined;
});

async function kdfRunsOf(wire: Pop3Wire, user: string, password: string, reply: RegExp): Promise<number> {
  const before = kdfRunCount(TEST_KDF);
  expect(await wire.command(`USER ${user}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${password}`)).toMatch(reply);
  return kdfRunCount(TEST_KDF) - before;
}

test('unknown user, wrong password and right password cost the same mailbox KDF work', async () => {
  f = await startPop3();
  const wire = await Pop3Wire.connect(f.port);
  const right = await kdfRunsOf(wire, ADDRESS, PASSWORD, /^\+OK maildrop/);
  expect(await wire.command('QUIT')).toMatch(/^\+OK/);
  const fixture = f;
  await waitFor(() => fixture.service.openMailboxes === 0);
  // The mail store closes the idle handle, so the right password below is checked by the KDF again.
  await waitFor(() => !fixture.mailstore.isOpen(MAILBOX_ID));

  const other = await Pop3Wire.connect(f.port);
  const unknown = await kdfRunsOf(other, 'nobody@example.test', PASSWORD, /^-ERR \[AUTH\] /);
  const wrong = await kdfRunsOf(other, ADDRESS, 'not the password', /^-ERR \[AUTH\] /);
  const noDomain = await kdfRunsOf(other, 'someone@elsewhere.test', 'x', /^-ERR \[AUTH\] /);
  expect({ right, unknown, wrong, noDomain }).toEqual({ right: 1, unknown: 1, wrong: 1, noDomain: 1 });
  other.close();
});

test('a disabled alias cannot log in, whatever RCPT TO answers for it (250 accepts and discards its mail)', async () => {
  f = await startPop3();
  const domain = await f.control.findDomainByName('example.test');
  const alias = domain ? await f.control.findAlias(domain.id, 'alice') : null;
  if (!domain || !alias) throw new Error('no alice');
  await f.control.updateAlias(domain.id, alias.id, { isEnabled: false, errorCodeIfDisabled: 250 });
  const wire = await Pop3Wire.connect(f.port);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR \[AUTH\] /);
  wire.close();
});
