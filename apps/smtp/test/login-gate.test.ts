/**
 * The one failed-login gate (@mailyard/limits LoginGate) in front of submission AUTH: with
 * smtp.authFailuresPerIpPerHour = N, exactly N failed AUTH from one address have their password checked; the
 * (N+1)th, even with the right password, gets 454 4.7.0 (RFC 4954 §6) and the control store is not asked.
 */
import type { ControlStore } from '@mailyard/control';
import { MemoryLoginFailureStore } from '@mailyard/limits';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSubmissionLoginGate } from '../src/handlers/on-auth.js';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, PASSWORD, startHarness } from './harness.js';
import { Wire } from './wire.js';

const N = 3;
const alice = `alice@${HOSTED}`;
let h: Harness;
let submission: SubmissionServer;
let port: number;
/** Calls of the control store's password check made by `submission`. */
let passwordChecks = 0;

/** The real control store, with its password check counted. */
function counted(control: ControlStore): ControlStore {
  return new Proxy(control, {
    get(target, key) {
      if (key === 'verifyMailboxPassword') {
        return (address: string, password: string) => {
          passwordChecks += 1;
          return target.verifyMailboxPassword(address, password);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

beforeAll(async () => {
  h = await startHarness({ smtp: { authFailuresPerIpPerHour: N } });
  const loginGate = createSubmissionLoginGate(h.config, new MemoryLoginFailureStore());
  submission = createSubmissionServer(h.deps({ control: counted(h.control), loginGate }));
  port = (await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1')).implicitTls;
});
afterAll(async () => {
  await submission?.close(1000);
  await h?.close();
});

const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

test(`${N} failed AUTH from one address are checked; the next is refused without a password check`, async () => {
  const wire = await Wire.open(port, { tls: true });
  expect((await wire.reply()).code).toBe(220);
  await wire.command('EHLO client.test');
  for (let i = 1; i <= N; i++) {
    expect((await wire.command(`AUTH PLAIN ${plain(alice, `wrong${i}`)}`)).lines[0]).toMatch(/^535 5\.7\.8 /);
  }
  expect(passwordChecks).toBe(N);
  expect((await wire.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`)).lines[0]).toMatch(/^454 4\.7\.0 /);
  expect(passwordChecks).toBe(N);
  wire.destroy();
});
