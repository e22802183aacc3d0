/**
 * The one failed-login gate (@mailyard/limits LoginGate) in front of POP3 USER/PASS and AUTH PLAIN: with
 * pop3.authFailuresPerIpPerHour = N, exactly N failed logins from one address have their password checked; the
 * (N+1)th, even with the right password, gets -ERR [SYS/TEMP] and the control store is not asked.
 */
import { MemoryLoginFailureStore } from '@mailyard/limits';
import { captureLog } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Pop3Control } from '../src/context.js';
import { createPop3Server, type Pop3Server } from '../src/server.js';
import { createPop3Limits } from '../src/session-limits.js';
import { ADDRESS, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

const N = 3;
let f: Pop3Fixture;
let service: Pop3Server;
let port: number;
/** Calls of the control store's password check made by `service`. */
let passwordChecks = 0;

function counted(control: Pop3Control): Pop3Control {
  return {
    verifyMailboxPassword: (address, password) => {
      passwordChecks += 1;
      return control.verifyMailboxPassword(address, password);
    },
  };
}

beforeAll(async () => {
  f = await startPop3({ pop3: { authFailuresPerIpPerHour: N } });
  service = createPop3Server({
    config: f.config,
    logger: captureLog({ level: 'info' }).logger,
    control: counted(f.control),
    mailstore: f.mailstore,
    limits: createPop3Limits(f.config, new MemoryLoginFailureStore()),
    closeTimeoutMs: 200,
  });
  port = await service.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await service?.close();
  await f?.close();
});

test(`${N} failed logins from one address are checked; the next is refused without a password check`, async () => {
  const wire = await Pop3Wire.connect(port);
  for (let i = 1; i <= N; i++) {
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command(`PASS wrong${i}`)).toMatch(/^-ERR \[AUTH\] /);
  }
  expect(passwordChecks).toBe(N);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^-ERR \[SYS\/TEMP\] Too many failed logins/);
  expect(await wire.command('AUTH PLAIN')).toMatch(/^\+ /);
  const plain = Buffer.from(`\0${ADDRESS}\0${PASSWORD}`).toString('base64');
  // wildduck's AUTH PLAIN reply carries no response code.
  expect(await wire.command(plain)).toMatch(/^-ERR Too many failed logins/);
  expect(passwordChecks).toBe(N);
  wire.close();
});
