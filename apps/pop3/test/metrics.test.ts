/**
 * POP3's protocol metrics move when their events happen: commands by name and result (an -ERR reply is `no`,
 * unknown names count as UNKNOWN) with their duration, open connections and failed logins.
 */
import { readMetric } from '@mailyard/monitor';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADDRESS, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

let f: Pop3Fixture;

beforeAll(async () => {
  f = await startPop3();
});
afterAll(async () => f?.close());

const command = (name: string, result: string) => ({ protocol: 'pop3', command: name, result });

test('commands, durations, connections and failed logins', async () => {
  const before = {
    stat: await readMetric('mailyard_commands_total', command('STAT', 'ok')),
    statSeconds: await readMetric('mailyard_command_seconds', command('STAT', 'ok')),
    list: await readMetric('mailyard_commands_total', command('LIST', 'no')),
    unknown: await readMetric('mailyard_commands_total', command('UNKNOWN', 'bad')),
    failures: await readMetric('mailyard_auth_failures_total', { protocol: 'pop3' }),
    connections: await readMetric('mailyard_connections', { protocol: 'pop3' }),
  };
  const wire = await Pop3Wire.connect(f.port);
  expect(await readMetric('mailyard_connections', { protocol: 'pop3' })).toBe(before.connections + 1);
  expect(await wire.command('XYZZY')).toMatch(/^-ERR/);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command('PASS wrong')).toMatch(/^-ERR/);
  expect(await readMetric('mailyard_auth_failures_total', { protocol: 'pop3' })).toBe(before.failures + 1);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
  expect(await wire.command('STAT')).toMatch(/^\+OK/);
  expect(await wire.command('LIST 9')).toMatch(/^-ERR/);
  expect(await readMetric('mailyard_commands_total', command('STAT', 'ok'))).toBe(before.stat + 1);
  expect(await readMetric('mailyard_command_seconds', command('STAT', 'ok'))).toBe(before.statSeconds + 1);
  expect(await readMetric('mailyard_commands_total', command('LIST', 'no'))).toBe(before.list + 1);
  expect(await readMetric('mailyard_commands_total', command('UNKNOWN', 'bad'))).toBe(before.unknown + 1);
  wire.close();
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'pop3' })) === before.connections);
});
