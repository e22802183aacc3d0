/**
 * Connections opened and abandoned half-way, many at once: in the middle of a command line, of a literal, of an
 * AUTHENTICATE exchange, of IDLE, of a DATA transfer, of a POP3 login, some closed with a FIN and some reset. The
 * servers must release everything those connections held (IMAP connections, POP3 unlocked mailboxes), log no
 * code bug (the global check) and keep serving a clean session.
 */
import { createPrng, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, test } from 'vitest';
import { PASSWORD, type Stack, startStack, USER } from './support/stack.js';
import { WireConnection } from './support/wire.js';
import { REPLY_MS } from './support/wire-fuzz.js';

const CONNECTIONS = 60;
const SEED = 31;
const LOGIN = `a1 LOGIN "${USER}" "${PASSWORD}"\r\n`;

/** Per protocol: what a client sends before it goes away (each a prefix of a longer exchange). */
const HALF_WAY: Record<'imap' | 'smtp' | 'pop3', string[]> = {
  imap: [
    'a1 LOG',
    'a1 LOGIN {10}\r\nali',
    `${LOGIN}a2 SELECT INBOX\r\na3 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJ`,
    `${LOGIN}a2 APPEND INBOX {5000}\r\nSubject: half\r\n\r\nonly part of it`,
    'a1 AUTHENTICATE PLAIN\r\n',
    `${LOGIN}a2 SELECT INBOX\r\na3 IDLE\r\n`,
    `${LOGIN}a2 CREATE "Half/Way"\r\na3 SELECT "Half/Way"\r\na4 STORE 1 +FLAGS (\\See`,
  ],
  smtp: [
    'EHL',
    'EHLO client.example.org\r\nMAIL FROM:<bob@exa',
    `EHLO client.example.org\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<${USER}>\r\nDATA\r\nSubject: half\r\n\r\npart`,
    `EHLO client.example.org\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<${USER}>\r\nDATA\r\nSubject: half\r\n\r\nend\r\n.`,
    'EHLO client.example.org\r\nSTARTTLS\r\n\x16\x03\x01\x02\x00\x01\x00\x01',
  ],
  pop3: [
    'US',
    `USER ${USER}\r\n`,
    `USER ${USER}\r\nPASS ${PASSWORD}\r\n`,
    `USER ${USER}\r\nPASS ${PASSWORD}\r\nRETR 1\r\nDELE 2\r\n`,
    'AUTH PLAIN\r\n',
    'STLS\r\n\x16\x03\x01',
  ],
};

const GREETING = { imap: /^\* OK/m, smtp: /^220 /m, pop3: /^\+OK/m };

/** Opens, sends a half-way exchange, waits briefly for the server to act on it, then closes or resets. */
async function abandon(port: number, app: 'imap' | 'smtp' | 'pop3', bytes: string, reset: boolean): Promise<void> {
  const connection = await WireConnection.open(port);
  await connection.waitFor(GREETING[app], REPLY_MS);
  connection.socket.write(bytes);
  await connection.waitPast(connection.received, 50);
  if (reset) connection.socket.resetAndDestroy();
  else connection.socket.end();
}

async function abandonMany(port: number, app: 'imap' | 'smtp' | 'pop3'): Promise<void> {
  const prng = createPrng(SEED);
  const plans = Array.from({ length: CONNECTIONS }, () => ({
    bytes: prng.pick(HALF_WAY[app]),
    reset: prng.chance(0.5),
  }));
  await Promise.all(plans.map((plan) => abandon(port, app, plan.bytes, plan.reset)));
}

/**
 * A clean exchange after the crowd left: greeting, then `lines`, then `done` within the reply bound. Retried for
 * up to 10 s: what the abandoned connections held (a per-user connection slot, a maildrop lock) may be released
 * a moment after the connection itself is gone, most of all on a loaded machine.
 */
async function cleanSession(port: number, app: 'imap' | 'smtp' | 'pop3', lines: string, done: RegExp) {
  let last = '';
  const attempt = async () => {
    const connection = await WireConnection.open(port);
    try {
      if (!(await connection.waitFor(GREETING[app], REPLY_MS))) return false;
      connection.socket.write(lines);
      const ok = await connection.waitFor(done, REPLY_MS);
      last = connection.output.slice(-500);
      return ok;
    } finally {
      connection.destroy();
    }
  };
  await waitFor(attempt, 10_000, 200).catch(() => {
    throw new Error(`no clean ${app} session within 10 s; last answer: ${last}`);
  });
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

test(`IMAP: ${CONNECTIONS} connections abandoned half-way are all released`, async () => {
  const port = await stack.listen('imap');
  await abandonMany(port, 'imap');
  const server = stack.servers.imap;
  await waitFor(() => server?.connections.size === 0, 10_000, 50);
  await cleanSession(port, 'imap', `${LOGIN}a2 SELECT INBOX\r\na3 FETCH 1 (FLAGS)\r\n`, /^a3 OK/m);
});

test(`POP3: ${CONNECTIONS} connections abandoned half-way release the maildrop`, async () => {
  const port = await stack.listen('pop3');
  await abandonMany(port, 'pop3');
  const server = stack.servers.pop3;
  await waitFor(() => server?.openMailboxes === 0, 10_000, 50);
  await cleanSession(port, 'pop3', `USER ${USER}\r\nPASS ${PASSWORD}\r\nSTAT\r\n`, /^\+OK \d+ \d+/m);
});

test(`SMTP: ${CONNECTIONS} connections abandoned half-way, the MX still takes mail`, async () => {
  const port = await stack.listen('smtp');
  await abandonMany(port, 'smtp');
  const message = `EHLO client.example.org\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`;
  await cleanSession(port, 'smtp', `${message}Subject: whole\r\n\r\nall of it\r\n.\r\n`, /^354 [\s\S]*^250 /m);
});
