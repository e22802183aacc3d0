/**
 * Parser and state-machine edge cases as tables of wire input and expected replies, over a raw socket.
 * Each row runs on a fresh connection in the state it names.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, openWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;

const MAX_LINE = 4096;
const MAX_LITERAL = 100_000;

beforeAll(async () => {
  h = await startHarness({ imap: { maxLineBytes: MAX_LINE, maxLiteralBytes: MAX_LITERAL } });
  user = await h.addUser('wire');
  const client = await h.client(user);
  await client.append('INBOX', message('one'));
  await client.append('INBOX', message('two'));
  await client.logout();
});
afterAll(async () => h?.close());

type State = 'greeted' | 'authenticated' | 'selected';

interface Row {
  name: string;
  state: State;
  /** Bytes to send, then the reply pattern that ends this step. */
  steps: Array<[send: string, until: RegExp]>;
  /** Patterns the whole reply must match / must not match. */
  expect: RegExp[];
  reject?: RegExp[];
}

const rows: Row[] = [
  {
    name: 'CAPABILITY before login lists every extension',
    state: 'greeted',
    steps: [['C1 CAPABILITY\r\n', /^C1 /]],
    expect: [
      /^\* CAPABILITY IMAP4rev1 .*AUTH=PLAIN.*SASL-IR.*IDLE.*CONDSTORE.*QRESYNC.*MOVE.*LITERAL\+.*APPENDLIMIT=100000/m,
      /^C1 OK/m,
    ],
  },
  {
    name: 'unknown command',
    state: 'greeted',
    steps: [['C2 FROBNICATE\r\n', /^C2 /]],
    expect: [/^C2 BAD Unknown command/m],
  },
  {
    name: 'missing command',
    state: 'greeted',
    steps: [['lonelytag\r\n', /^\* BAD/]],
    expect: [/^\* BAD Invalid tag/m],
  },
  {
    name: 'SELECT before login',
    state: 'greeted',
    steps: [['C3 SELECT INBOX\r\n', /^C3 /]],
    expect: [/^C3 BAD SELECT not allowed now/m],
  },
  {
    name: 'FETCH with no folder selected',
    state: 'authenticated',
    steps: [['C4 FETCH 1 FLAGS\r\n', /^C4 /]],
    expect: [/^C4 BAD FETCH not allowed now/m],
  },
  {
    name: 'LOGIN again when authenticated',
    state: 'authenticated',
    steps: [['C5 LOGIN a b\r\n', /^C5 /]],
    expect: [/^C5 BAD LOGIN not allowed now/m],
  },
  {
    name: 'LOGIN with a synchronizing literal password',
    state: 'greeted',
    steps: [
      [`C6 LOGIN "${'wire@example.test'}" {${'correct horse battery'.length}}\r\n`, /^\+ /],
      ['correct horse battery\r\n', /^C6 /],
    ],
    expect: [/^C6 OK/m],
  },
  {
    name: 'quoted string with escaped quote and backslash',
    state: 'authenticated',
    steps: [
      ['C7 CREATE "say \\"hi\\" \\\\ there"\r\n', /^C7 /],
      ['C8 LIST "" "say*"\r\n', /^C8 /],
    ],
    expect: [/^C7 OK/m, /^\* LIST \([^)]*\) "\/" "say \\"hi\\" \\\\ there"/m],
  },
  {
    name: 'modified UTF-7 folder names round-trip (RFC 3501 §5.1.3)',
    state: 'authenticated',
    steps: [
      ['C9 CREATE "Entw&APw-rfe/M&AOQ-rz"\r\n', /^C9 /],
      ['C10 LIST "" "Entw*"\r\n', /^C10 /],
    ],
    expect: [/^C9 OK/m, /^\* LIST .* "Entw&APw-rfe"$/m, /^\* LIST .* "Entw&APw-rfe\/M&AOQ-rz"$/m],
  },
  {
    name: 'synchronizing literal gets a continuation',
    state: 'authenticated',
    steps: [
      ['C11 CREATE {6}\r\n', /^\+ /],
      ['litone\r\n', /^C11 /],
    ],
    expect: [/^\+ Go ahead/m, /^C11 OK/m],
  },
  {
    name: 'LITERAL+ literal needs no continuation (RFC 7888)',
    state: 'authenticated',
    steps: [['C12 CREATE {6+}\r\nlittwo\r\n', /^C12 /]],
    expect: [/^C12 OK/m],
    reject: [/^\+ /m],
  },
  {
    name: 'literal over the non-APPEND limit (64 KiB) is refused',
    state: 'authenticated',
    steps: [['C13 CREATE {70000}\r\n', /^C13 /]],
    expect: [/^C13 NO \[TOOBIG\] Literal too large/m],
  },
  {
    name: 'APPEND literal over the message size limit: NO [TOOBIG]',
    state: 'authenticated',
    steps: [[`C14 APPEND INBOX {${MAX_LITERAL + 1}}\r\n`, /^C14 /]],
    expect: [/^C14 NO \[TOOBIG\]/m],
  },
  {
    name: 'sequence number zero',
    state: 'selected',
    steps: [['C15 FETCH 0 FLAGS\r\n', /^C15 /]],
    expect: [/^C15 BAD/m],
  },
  {
    name: 'malformed sequence set',
    state: 'selected',
    steps: [['C16 FETCH 1:x FLAGS\r\n', /^C16 /]],
    expect: [/^C16 BAD/m],
  },
  {
    name: 'empty sequence set element',
    state: 'selected',
    steps: [['C17 UID FETCH 1,,2 FLAGS\r\n', /^C17 /]],
    expect: [/^C17 BAD/m],
  },
  {
    name: 'reversed range is valid (RFC 3501 §9 seq-range)',
    state: 'selected',
    steps: [['C18 FETCH 2:1 (UID)\r\n', /^C18 /]],
    expect: [/^\* 1 FETCH \(UID 1\)/m, /^\* 2 FETCH \(UID 2\)/m, /^C18 OK/m],
  },
  {
    name: 'unknown FETCH item',
    state: 'selected',
    steps: [['C19 FETCH 1 (FLAGS FROBS)\r\n', /^C19 /]],
    expect: [/^C19 BAD/m],
  },
  {
    name: 'unknown SEARCH key',
    state: 'selected',
    steps: [['C20 SEARCH FROBS\r\n', /^C20 /]],
    expect: [/^C20 BAD .*Unknown search key FROBS/m],
  },
  {
    name: 'SEARCH with an unsupported charset: NO [BADCHARSET]',
    state: 'selected',
    steps: [['C21 SEARCH CHARSET KOI8-R ALL\r\n', /^C21 /]],
    expect: [/^C21 NO \[BADCHARSET/m],
  },
  {
    name: 'SEARCH keeps parenthesised groups',
    state: 'selected',
    steps: [['C22 SEARCH OR (SUBJECT one SUBJECT two) (UID 2)\r\n', /^C22 /]],
    expect: [/^\* SEARCH 2$/m, /^C22 OK/m],
  },
  {
    name: 'sequence set just before a closing parenthesis',
    state: 'selected',
    steps: [['C23 UID SEARCH (UID 1:2)\r\n', /^C23 /]],
    expect: [/^\* SEARCH 1 2$/m, /^C23 OK/m],
  },
  {
    name: 'SELECT of a missing folder',
    state: 'authenticated',
    steps: [['C24 SELECT Nowhere\r\n', /^C24 /]],
    expect: [/^C24 NO \[NONEXISTENT\]/m],
  },
  {
    name: 'STORE of an invalid system flag',
    state: 'selected',
    steps: [['C25 STORE 1 +FLAGS (\\Bogus)\r\n', /^C25 /]],
    expect: [/^C25 BAD/m],
  },
  {
    name: 'unbalanced parenthesis',
    state: 'selected',
    steps: [['C26 FETCH 1 (FLAGS\r\n', /^C26 /]],
    expect: [/^C26 BAD/m],
  },
];

async function inState(state: State): Promise<WireClient> {
  if (state === 'greeted') return openWire(h.port);
  const client = await loginWire(h.port, user.address, user.password);
  if (state === 'selected') await client.command('S1', 'SELECT INBOX');
  return client;
}

describe('wire tables', () => {
  test.each(rows)('$name', async (row) => {
    const client = await inState(row.state);
    try {
      let reply = '';
      for (const [send, until] of row.steps) {
        client.send(send);
        reply += await client.readUntil(until);
      }
      for (const pattern of row.expect) expect(reply).toMatch(pattern);
      for (const pattern of row.reject ?? []) expect(reply).not.toMatch(pattern);
    } finally {
      client.close();
    }
  });

  test('a command line over the limit closes the connection', async () => {
    const client = await inState('authenticated');
    client.send(`C1 NOOP ${'x'.repeat(MAX_LINE + 10)}`);
    const reply = await client.readUntil(/^\* BYE/);
    expect(reply).toMatch(/^\* BYE Command line too long/m);
    await client.closed();
  });

  test('a LITERAL+ literal over the limit closes the connection with BYE [TOOBIG]', async () => {
    const client = await inState('authenticated');
    client.send(`C1 APPEND INBOX {${MAX_LITERAL + 1}+}\r\n`);
    const reply = await client.readUntil(/^\* BYE/);
    expect(reply).toMatch(/^\* BYE \[TOOBIG\]/m);
    await client.closed();
  });

  test('commands pipelined after IDLE DONE are answered in order', async () => {
    const client = await inState('selected');
    client.send('I1 IDLE\r\n');
    await client.readUntil(/^\+ /);
    client.send('DONE\r\nI2 NOOP\r\nI3 CHECK\r\n');
    const reply = await client.readUntil(/^I3 /);
    const tags = [...reply.matchAll(/^(I\d) OK/gm)].map((m) => m[1]);
    expect(tags).toEqual(['I1', 'I2', 'I3']);
    client.close();
  });

  test('no code bugs were logged', () => {
    expect(h.codeBugs()).toEqual([]);
  });
});
