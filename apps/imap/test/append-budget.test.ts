/**
 * APPEND and the process's in-flight byte budget (limits.inflightBytes, @mailyard/limits ByteBudget): every
 * message literal, MULTIAPPEND's and CATENATE's included, reserves its size before the server asks for its bytes,
 * and gives it back once the command has answered. With the budget taken, a synchronising literal gets
 * NO [LIMIT] instead of the continuation and the session goes on; a non-synchronising one (LITERAL+, already on
 * its way) gets BYE [LIMIT]. Over real sockets, with a 10,000-byte budget.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

const BUDGET = 10_000;
let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness({ limits: { inflightBytes: BUDGET } });
  user = await h.addUser('budget');
});
afterAll(async () => h?.close());

/** A message of exactly `size` bytes (short CRLF lines). */
function message(size: number): string {
  const head = 'Subject: budget\r\n\r\n';
  const line = `${'x'.repeat(70)}\r\n`;
  let body = '';
  while (head.length + body.length + line.length <= size) body += line;
  return head + body + 'y'.repeat(size - head.length - body.length);
}

/** Sends `APPEND INBOX {size}` and waits for the continuation. */
async function startAppend(wire: WireClient, tag: string, size: number): Promise<void> {
  wire.send(`${tag} APPEND INBOX {${size}}\r\n`);
  await wire.readUntil(/^\+ /);
}

async function messages(wire: WireClient): Promise<number> {
  const status = await wire.command('S', 'STATUS INBOX (MESSAGES)');
  return Number(/MESSAGES (\d+)/.exec(status)?.[1]);
}

test('a second APPEND while the budget is held gets NO [LIMIT], then succeeds once the first is stored', async () => {
  const first = await loginWire(h.port, user.address, user.password);
  const second = await loginWire(h.port, user.address, user.password);
  const before = await messages(second);
  const body = message(6000);
  await startAppend(first, 'A1', body.length);
  first.send(body.slice(0, 3000));
  second.send('B1 APPEND INBOX {6000}\r\n');
  expect(await second.readUntil(/^B1 /)).toMatch(
    /^B1 NO \[LIMIT\] Server busy: too much mail in flight, try again later\r\n$/,
  );
  expect(await second.command('B2', 'NOOP')).toMatch(/^B2 OK/m);
  first.send(`${body.slice(3000)}\r\n`);
  expect(await first.readUntil(/^A1 /)).toMatch(/^A1 OK \[APPENDUID /m);
  await startAppend(second, 'B3', body.length);
  second.send(`${body}\r\n`);
  expect(await second.readUntil(/^B3 /)).toMatch(/^B3 OK \[APPENDUID /m);
  expect(await messages(second)).toBe(before + 2);
  first.close();
  second.close();
});

test('MULTIAPPEND: a literal past the budget refuses the command, and the earlier literal is given back', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const before = await messages(wire);
  await startAppend(wire, 'M1', 4000);
  wire.send(`${message(4000)} {7000}\r\n`);
  expect(await wire.readUntil(/^M1 /)).toMatch(/^M1 NO \[LIMIT\]/);
  expect(await messages(wire)).toBe(before);
  await startAppend(wire, 'M2', 9000);
  wire.send(`${message(9000)}\r\n`);
  expect(await wire.readUntil(/^M2 /)).toMatch(/^M2 OK \[APPENDUID /m);
  wire.close();
});

test('MULTIAPPEND: a later literal over the size limit (TOOBIG) gives the earlier literals back too', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await startAppend(wire, 'T1', 6000);
  wire.send(`${message(6000)} {${60 * 1024 * 1024}}\r\n`);
  expect(await wire.readUntil(/^T1 /)).toMatch(/^T1 NO \[TOOBIG\]/);
  await startAppend(wire, 'T2', 9000);
  wire.send(`${message(9000)}\r\n`);
  expect(await wire.readUntil(/^T2 /)).toMatch(/^T2 OK \[APPENDUID /m);
  wire.close();
});

test('CATENATE: TEXT literals reserve from the budget too', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  wire.send('C1 APPEND INBOX CATENATE (TEXT {4000}\r\n');
  await wire.readUntil(/^\+ /);
  wire.send(`${message(4000)} TEXT {7000}\r\n`);
  expect(await wire.readUntil(/^C1 /)).toMatch(/^C1 NO \[LIMIT\]/);
  wire.send('C2 APPEND INBOX CATENATE (TEXT {9000}\r\n');
  await wire.readUntil(/^\+ /);
  wire.send(`${message(9000)})\r\n`);
  expect(await wire.readUntil(/^C2 /)).toMatch(/^C2 OK \[APPENDUID /m);
  wire.close();
});

test('LITERAL+ past the budget: BYE [LIMIT] (its bytes are already on the way); a literal over the whole budget: TOOBIG', async () => {
  const holder = await loginWire(h.port, user.address, user.password);
  await startAppend(holder, 'H1', 6000);
  const wire = await loginWire(h.port, user.address, user.password);
  wire.send(`N1 APPEND INBOX {6000+}\r\n${message(6000)}\r\n`);
  expect(await wire.readUntil(/^\* BYE/)).toMatch(/^\* BYE \[LIMIT\]/m);
  await wire.closed();
  holder.send(`${message(6000)}\r\n`);
  expect(await holder.readUntil(/^H1 /)).toMatch(/^H1 OK/m);
  holder.send(`T1 APPEND INBOX {${BUDGET + 1}}\r\n`);
  expect(await holder.readUntil(/^T1 /)).toMatch(/^T1 NO \[TOOBIG\]/);
  holder.close();
});
