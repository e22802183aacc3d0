/**
 * imaptest group "list" (RFC 9051 §6.3.9, §9 list-mailbox): wildcards and every list-char parse as one atom.
 * These were BAD with wildduck's parser ([E16: "%"]).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Fixture, fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('list');
  const wire = await f.session();
  for (const name of ['imaptest', 'imaptest/a', 'imaptest/a/deep', 'imaptest/b', 'probe1', 'probe2']) {
    expect(await wire.command('C', `CREATE ${name}`)).toMatch(/^C OK/m);
  }
  expect(await wire.command('S', 'SUBSCRIBE imaptest/a')).toMatch(/^S OK/m);
  expect(await wire.command('U', 'UNSUBSCRIBE imaptest/b')).toMatch(/^U OK/m);
});
afterAll(async () => f?.close());

test('LIST "" imaptest/% lists one level (% stops at the delimiter)', async () => {
  const wire = await f.session();
  const reply = await wire.command('L1', 'LIST "" imaptest/%');
  expect(reply).toMatch(/^\* LIST \(\\HasChildren\) "\/" "imaptest\/a"$/m);
  expect(reply).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" "imaptest\/b"$/m);
  expect(reply).not.toMatch(/deep/);
  expect(reply).toMatch(/^L1 OK/m);
});

test('LSUB "" imaptest/% lists the subscribed folders of that level', async () => {
  const wire = await f.session();
  const reply = await wire.command('L2', 'LSUB "" imaptest/%');
  expect(reply).toMatch(/^\* LSUB \([^)]*\) "\/" "imaptest\/a"$/m);
  expect(reply).not.toMatch(/imaptest\/b/);
  expect(reply).toMatch(/^L2 OK/m);
});

test('LIST "" probe* with * at the end of an atom', async () => {
  const wire = await f.session();
  const reply = await wire.command('L3', 'LIST "" probe*');
  expect(reply.match(/^\* LIST .*"probe\d"$/gm)).toHaveLength(2);
  expect(reply).toMatch(/^L3 OK/m);
});

test('every list-char in an atom (imaptest "atom" check)', async () => {
  const wire = await f.session();
  const reply = await wire.command('L4', 'list "" !#$&\'+,-.0123456789:;<=>?@^_`|[}%*');
  expect(reply).toMatch(/^L4 OK/m);
});

test('LIST "" "" answers the delimiter (RFC 9051 §6.3.9)', async () => {
  const wire = await f.session();
  expect(await wire.command('L5', 'LIST "" ""')).toMatch(/^\* LIST \(\\Noselect\) "\/" ""\r\nL5 OK/m);
});
