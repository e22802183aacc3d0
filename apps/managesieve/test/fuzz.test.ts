/**
 * Bounded fuzz of the ManageSieve command reader and dispatch through a real socket: ManageSieve commands with
 * hostile arguments (quoted strings with bad escapes, literals of odd sizes, numbers, 8-bit noise), mutated valid
 * commands and noise, sent before and after login. Each line must be answered (a response, a SASL challenge or the
 * connection closed with BYE) within 5 s; a line that opened a literal the fuzz does not complete may leave the
 * server waiting for its bytes, and that session is replaced. No code bug may be logged (the global setup fails
 * the test), and a clean session must work afterwards. Fixed seed and count; FUZZ_SEED and FUZZ_COUNT override.
 */
import { connect, type Socket } from 'node:net';
import { createPrng, fuzzRun, mutate, type Prng } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADDRESS, PASSWORD, plainAuth, type SieveFixture, startManageSieve } from './fixture.js';

const RUN = fuzzRun({ seed: 4190, count: 400 });
const REPLY_MS = 5_000;
const LOGIN = `AUTHENTICATE "PLAIN" "${plainAuth(ADDRESS, PASSWORD)}"`;

const VERBS = [
  'CAPABILITY',
  'AUTHENTICATE',
  'STARTTLS',
  'LOGOUT',
  'HAVESPACE',
  'PUTSCRIPT',
  'LISTSCRIPTS',
  'SETACTIVE',
  'GETSCRIPT',
  'DELETESCRIPT',
  'RENAMESCRIPT',
  'CHECKSCRIPT',
  'NOOP',
  'UNAUTHENTICATE',
  'XYZZY',
  '',
];
const ARGS = [
  '"a"',
  '""',
  '"x\\"y"',
  '"\\q"',
  '"unterminated',
  '{0+}\r\n',
  '{5+}\r\nkeep;',
  '{3}\r\nabc',
  '{x}',
  '{99999999999+}',
  '12',
  '-1',
  '4294967296',
  '"PLAIN"',
  '"LOGIN"',
  '"*"',
  '"Älter"',
  'ACTIVE',
  '\u00ff\u00fe',
  '{2+}\r\n\u00ff\u00fe',
  `"${'n'.repeat(1100)}"`,
  '"if true {"',
  '{12+}\r\nif true { x',
];
const VALID = [
  'CAPABILITY',
  'LISTSCRIPTS',
  'NOOP "t"',
  'PUTSCRIPT "a" {6+}\r\nkeep;\n',
  'SETACTIVE "a"',
  'GETSCRIPT "a"',
  'RENAMESCRIPT "a" "b"',
  'DELETESCRIPT "b"',
  'HAVESPACE "a" 100',
  'CHECKSCRIPT {6+}\r\nkeep;\n',
  'SETACTIVE ""',
];

function noise(prng: Prng, max: number): string {
  return prng.bytes(prng.int(max)).toString('latin1').replace(/\n/g, ' ');
}

function line(prng: Prng): Buffer {
  const roll = prng.int(100);
  if (roll < 8) return Buffer.from(noise(prng, 200), 'latin1');
  if (roll < 30) return mutate(Buffer.from(prng.pick(VALID), 'latin1'), prng);
  const verb = prng.pick(VERBS);
  const args = Array.from({ length: prng.int(4) }, () => (prng.chance(0.8) ? prng.pick(ARGS) : noise(prng, 20)));
  return Buffer.from([prng.chance(0.2) ? verb.toLowerCase() : verb, ...args].join(' '), 'latin1');
}

class Client {
  output = '';
  closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('latin1');
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<Client> {
    const client = new Client(connect(port, '127.0.0.1'));
    if (!(await client.answered(0))) throw new Error('no greeting');
    return client;
  }

  /** Whether output past `from` ends a line (or the connection closed) within REPLY_MS. */
  async answered(from: number): Promise<boolean> {
    const deadline = Date.now() + REPLY_MS;
    while (Date.now() < deadline) {
      if (this.closed || (this.output.length > from && this.output.endsWith('\r\n'))) return true;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return false;
  }
}

let fixture: SieveFixture;
beforeAll(async () => {
  fixture = await startManageSieve({ maxConnectionsPerIp: 1000, authFailuresPerIpPerHour: 100_000 });
});
afterAll(async () => fixture?.close());

test(`ManageSieve reader over a socket: seed ${RUN.seed}, ${RUN.count} lines, no hang or code bug`, async () => {
  const prng = createPrng(RUN.seed);
  let client: Client | null = null;
  let replaced = 0;
  /** A line of this session opened a literal: its bytes may still be owed, and later lines become its payload. */
  let literalOpened = false;
  for (let i = 0; i < RUN.count; i++) {
    if (!client || client.closed) {
      client?.socket.destroy();
      client = await Client.open(fixture.port);
      literalOpened = false;
      if (prng.chance(0.5)) {
        const from = client.output.length;
        client.socket.write(`${LOGIN}\r\n`);
        expect(await client.answered(from)).toBe(true);
      }
    }
    const input = line(prng);
    const from = client.output.length;
    literalOpened ||= input.includes(0x7b);
    client.socket.write(Buffer.concat([input, Buffer.from('\r\n')]));
    if (await client.answered(from)) continue;
    // Only a literal opened but not filled may leave the server waiting for more bytes.
    expect(literalOpened, `case ${i}: no answer to ${JSON.stringify(input.toString('latin1'))}`).toBe(true);
    client.socket.destroy();
    client = null;
    replaced++;
  }
  client?.socket.destroy();
  expect(replaced).toBeLessThan(RUN.count / 4);

  const clean = await Client.open(fixture.port);
  clean.socket.write(`${LOGIN}\r\nLISTSCRIPTS\r\n`);
  const deadline = Date.now() + REPLY_MS;
  while (!/Listscripts completed/.test(clean.output) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(clean.output).toMatch(/OK "Logged in"\r\n(.*\r\n)*OK "Listscripts completed"/);
  clean.socket.destroy();
});
