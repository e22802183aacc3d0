/**
 * Bounded fuzz of the POP3 command parser through a real socket: the listener apps/pop3's createPop3Server builds,
 * on port 0. Lines are POP3 commands (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034, UTF8 RFC 6856) with
 * hostile arguments, mutated valid commands or noise, sent in the AUTHORIZATION state and, after USER/PASS, in
 * the TRANSACTION state over a maildrop holding real messages. Fails on a hang, a code bug, a crash or heap
 * growth (support/wire-fuzz.ts), and the server must still serve a clean session afterwards. Fixed seed and count
 * in CI; FUZZ_SEED and FUZZ_COUNT (scripts/fuzz.mjs --target pop3) for longer runs.
 */
import { createPrng, fuzzRun, mutate, type Prng, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, type Stack, startStack, USER } from './support/stack.js';
import { WireConnection } from './support/wire.js';
import { HOSTILE_ATOMS, lineNoise, MAX_HEAP_GROWTH_BYTES, REPLY_MS, runWireFuzz } from './support/wire-fuzz.js';

const RUN = fuzzRun({ seed: 110, count: 500 });

const VERBS = [
  'USER',
  'PASS',
  'APOP',
  'STAT',
  'LIST',
  'RETR',
  'DELE',
  'NOOP',
  'RSET',
  'QUIT',
  'TOP',
  'UIDL',
  'CAPA',
  'STLS',
  'AUTH',
  'AUTH PLAIN',
  'UTF8',
  'LAST',
  'XTND',
];
const NUMBERS = ['1', '2', '9', '0', '-1', '999', '4294967295', '4294967296', '1e3', '01', '+1', '0x1', ''];
const VALID = [
  `USER ${USER}`,
  `PASS ${PASSWORD}`,
  'STAT',
  'LIST',
  'LIST 1',
  'UIDL 2',
  'TOP 1 5',
  'RETR 2',
  'DELE 3',
  'RSET',
  'CAPA',
  `AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}`,
];

function pop3Line(prng: Prng): Buffer {
  const roll = prng.int(100);
  if (roll < 8) return Buffer.from(lineNoise(prng, 300), 'latin1');
  if (roll < 10) return Buffer.from(`NOOP ${'x'.repeat(prng.between(2_000, 80_000))}`, 'latin1');
  if (roll < 30) return mutate(Buffer.from(prng.pick(VALID), 'latin1'), prng);
  const verb = prng.pick(VERBS);
  const cased = prng.chance(0.2) ? verb.toLowerCase() : verb;
  const args = Array.from({ length: prng.int(4) }, () =>
    prng.chance(0.6) ? prng.pick(NUMBERS) : prng.chance(0.5) ? prng.pick(HOSTILE_ATOMS) : lineNoise(prng, 20),
  );
  return Buffer.from([cased, ...args].join(' '), 'latin1');
}

let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack();
  port = await stack.listen('pop3');
});
afterAll(async () => stack?.close());

test(`POP3 command parser over a socket: seed ${RUN.seed}, ${RUN.count} lines, no hang, crash, code bug or leak`, async () => {
  const stats = await runWireFuzz(
    {
      name: 'pop3',
      port,
      states: [
        { name: 'authorization', setup: [] },
        { name: 'transaction', setup: [`USER ${USER}`, `PASS ${PASSWORD}`] },
      ],
      generate: pop3Line,
      answerKinds: (answer) => [...answer.matchAll(/^(\+OK|-ERR|\+ )/gm)].map((m) => m[1] ?? ''),
      probe: 'NOOP\r\n',
    },
    createPrng(RUN.seed),
    RUN.count,
    stack.recentLogs,
  );
  expect(stats.cases).toBe(RUN.count);
  expect(stats.heapGrowthMb * 1e6).toBeLessThan(MAX_HEAP_GROWTH_BYTES);

  // A clean session from another client address, once the maildrop lock of the last fuzz session is released
  // (until then the maildrop answers IN-USE); tried again every 250 ms for up to 10 s.
  await waitFor(
    async () => {
      const clean = await WireConnection.open(port, '127.0.0.2');
      try {
        expect(await clean.waitFor(/^\+OK/m, REPLY_MS)).toBe(true);
        clean.socket.write(`USER ${USER}\r\nPASS ${PASSWORD}\r\nSTAT\r\n`);
        if (await clean.waitFor(/^\+OK \d+ \d+/m, REPLY_MS)) return true;
        expect(clean.output).toMatch(/IN-USE/);
        return false;
      } finally {
        clean.destroy();
      }
    },
    10_000,
    250,
  );
});
