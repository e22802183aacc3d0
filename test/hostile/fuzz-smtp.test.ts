/**
 * Bounded fuzz of the SMTP command parser through a real socket: the MX listener as apps/smtp's createMxServer
 * builds it, on port 0. Lines are SMTP commands with hostile arguments (paths, ESMTP parameters of RFC 1870, 3461,
 * 6152, 6531), mutated valid commands or noise, sent after the greeting, after EHLO, inside a mail transaction and
 * after a valid RCPT; when DATA is accepted (354) a random or mutated message body follows, ended by "." (RFC
 * 5321 §4.1.1.4). Fails on a hang, a code bug, a crash or heap growth (support/wire-fuzz.ts), and the server must
 * still take a clean message afterwards. Fixed seed and count in CI; FUZZ_SEED and FUZZ_COUNT for longer runs.
 */
import { createPrng, fuzzRun, mutate, type Prng } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DOMAIN, type Stack, startStack, USER } from './support/stack.js';
import { WireConnection } from './support/wire.js';
import { HOSTILE_ATOMS, lineNoise, MAX_HEAP_GROWTH_BYTES, REPLY_MS, runWireFuzz } from './support/wire-fuzz.js';

const RUN = fuzzRun({ seed: 25, count: 500 });

const VERBS = [
  'HELO',
  'EHLO',
  'LHLO',
  'MAIL FROM:',
  'RCPT TO:',
  'DATA',
  'RSET',
  'NOOP',
  'QUIT',
  'VRFY',
  'EXPN',
  'HELP',
  'STARTTLS',
  'AUTH',
  'AUTH PLAIN',
  'AUTH LOGIN',
  'XCLIENT',
  'XFORWARD',
  'ETRN',
  'TURN',
  'SEND FROM:',
];
const PATHS = [
  `<${USER}>`,
  `<ALICE@${DOMAIN.toUpperCase()}>`,
  `<alice+tag@${DOMAIN}>`,
  '<bob@example.org>',
  '<>',
  '<postmaster>',
  '<@relay.example:bob@example.org>',
  `<ceo@bank.test@${DOMAIN}>`,
  '<"quoted local"@example.org>',
  '<a@[127.0.0.1]>',
  '<a@[IPv6:::1]>',
  '<\u00fc@\u00e9xample.org>',
  `<${'x'.repeat(300)}@example.org>`,
  `${USER}`,
  '<<a@b>>',
  '<a@b',
];
const PARAMS = [
  'SIZE=1000',
  'SIZE=99999999999999999999',
  'SIZE=-1',
  'BODY=8BITMIME',
  'BODY=BINARYMIME',
  'BODY=BOGUS',
  'SMTPUTF8',
  'RET=FULL',
  'RET=HDRS',
  'ENVID=abc+2Bdef',
  'ENVID=bad\rcr',
  'NOTIFY=SUCCESS,FAILURE',
  'NOTIFY=NEVER,SUCCESS',
  'ORCPT=rfc822;bob@example.org',
  'ORCPT=rfc822;bad+ZZ',
  'AUTH=<>',
  'BOGUS=1',
  '=',
];
const VALID = [
  'EHLO client.example.org',
  'HELO client.example.org',
  'MAIL FROM:<bob@example.org> SIZE=100 BODY=8BITMIME',
  `RCPT TO:<${USER}> NOTIFY=SUCCESS ORCPT=rfc822;${USER}`,
  'DATA',
  'RSET',
  'VRFY alice',
  'NOOP hello',
  'HELP MAIL',
];

function smtpLine(prng: Prng): Buffer {
  const roll = prng.int(100);
  if (roll < 8) return Buffer.from(lineNoise(prng, 300), 'latin1');
  if (roll < 10) return Buffer.from(`NOOP ${'x'.repeat(prng.between(2_000, 80_000))}`, 'latin1');
  if (roll < 30) return mutate(Buffer.from(prng.pick(VALID), 'latin1'), prng);
  if (roll < 40) return Buffer.from('DATA');
  const verb = prng.pick(VERBS);
  const cased = prng.chance(0.2) ? verb.toLowerCase() : verb;
  const path = verb.endsWith(':') ? `${prng.chance(0.1) ? ' ' : ''}${prng.pick(PATHS)}` : '';
  const args = Array.from({ length: prng.int(4) }, () =>
    prng.chance(0.6) ? prng.pick(PARAMS) : prng.chance(0.5) ? prng.pick(HOSTILE_ATOMS) : lineNoise(prng, 20),
  );
  const argText = args.length > 0 ? ` ${args.join(' ')}` : '';
  const host = /HELO|EHLO|LHLO/.test(verb)
    ? ` ${prng.pick(['client.example.org', '[127.0.0.1]', '', lineNoise(prng, 30)])}`
    : '';
  return Buffer.from(`${cased}${path}${host}${argText}`, 'latin1');
}

/** After 354: a message body, mutated or random, ended by the terminating line (RFC 5321 §4.1.1.4). */
function dataBody(prng: Prng): Buffer {
  const sample = Buffer.from(`From: bob@example.org\r\nTo: ${USER}\r\nSubject: fuzz\r\n\r\nbody\r\n.hidden dot\r\n`);
  const body = prng.chance(0.5) ? mutate(sample, prng) : prng.bytes(prng.int(2_000));
  return Buffer.concat([body, Buffer.from('\r\n.\r\n')]);
}

let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack();
  port = await stack.listen('smtp');
});
afterAll(async () => stack?.close());

test(`SMTP command parser over a socket: seed ${RUN.seed}, ${RUN.count} lines, no hang, crash, code bug or leak`, async () => {
  const ehlo = 'EHLO client.example.org';
  const mail = 'MAIL FROM:<bob@example.org>';
  const stats = await runWireFuzz(
    {
      name: 'smtp',
      port,
      states: [
        { name: 'greeted', setup: [] },
        { name: 'after EHLO', setup: [ehlo] },
        { name: 'in a transaction', setup: [ehlo, mail] },
        // Twice as likely as the others: most lines that reach DATA (and the body parser) start here.
        { name: 'after RCPT', setup: [ehlo, mail, `RCPT TO:<${USER}>`] },
        { name: 'after RCPT', setup: [ehlo, mail, `RCPT TO:<${USER}>`] },
      ],
      generate: smtpLine,
      answerKinds: (answer) => [...answer.matchAll(/^([2-5])\d\d /gm)].map((m) => `${m[1]}xx`),
      followUp: (answer, prng) => (/^354 /m.test(answer) ? dataBody(prng) : undefined),
      probe: 'NOOP\r\n',
    },
    createPrng(RUN.seed),
    RUN.count,
    stack.recentLogs,
  );
  expect(stats.cases).toBe(RUN.count);
  expect(stats.heapGrowthMb * 1e6).toBeLessThan(MAX_HEAP_GROWTH_BYTES);

  // From another client address: per-IP limits the fuzz may have run into (RCPT probing, failed logins) are
  // the server working as meant, not a reason it could not serve anyone.
  const clean = await WireConnection.open(port, '127.0.0.2');
  try {
    expect(await clean.waitFor(/^220 /m, REPLY_MS)).toBe(true);
    // A sender the fuzz never used, so nothing it triggered can stand in this clean session's way.
    for (const line of [ehlo, 'MAIL FROM:<after-the-fuzz@example.net>', `RCPT TO:<${USER}>`, 'DATA']) {
      const from = clean.received;
      clean.socket.write(`${line}\r\n`);
      expect(await clean.waitFor(/^[23]\d\d /m, REPLY_MS, from), `${line}: ${clean.outputSince(from)}`).toBe(true);
    }
    const from = clean.received;
    clean.socket.write(`Subject: after the fuzz\r\n\r\nstill here\r\n.\r\n`);
    expect(await clean.waitFor(/^250 /m, REPLY_MS, from)).toBe(true);
  } finally {
    clean.destroy();
  }
});
