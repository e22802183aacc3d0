/** POP3 needs no quota command, but DELE then QUIT must leave the usage the MX and the API read right. */
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADDRESS, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

let f: Pop3Fixture;
beforeAll(async () => {
  f = await startPop3();
});
afterAll(async () => f?.close());

function message(subject: string, size: number): string {
  return `From: a@example.test\r\nTo: ${ADDRESS}\r\nSubject: ${subject}\r\n\r\n${'z'.repeat(size)}\r\n`;
}

async function usage() {
  const domain = await f.control.findDomainByName('example.test');
  const alias = await f.control.findAlias(domain?.id ?? '', 'alice');
  return f.control.aliasQuota(alias?.id ?? '');
}

test('DELE and QUIT update the usage recorded in the control store', async () => {
  await f.deliver(message('one', 3000));
  await f.deliver(message('two', 5000));
  const wire = await Pop3Wire.connect(f.port);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  const before = await waitFor(async () => {
    const q = await usage();
    return q && q.messageCount === 2 ? q : null;
  });
  expect(before.storageUsed).toBeGreaterThan(8000);
  expect(await wire.command('DELE 2')).toMatch(/^\+OK/);
  expect(await wire.command('QUIT')).toMatch(/^\+OK/);
  const after = await waitFor(async () => {
    const q = await usage();
    return q && q.messageCount === 1 ? q : null;
  });
  expect(after.storageUsed).toBeLessThan(before.storageUsed - 5000);
  expect(after.storageUsed).toBeGreaterThan(3000);
});
