/**
 * CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4) on the wire: SEARCH/SORT RETURN (UPDATE) answers, then
 * `* ESEARCH (TAG ...) ADDTO/REMOVEFROM` as the result changes, from this session's own STORE and EXPUNGE (the
 * imaptest groups search-context-update, -update2 and -update3) and from a second connection's APPEND, STORE and
 * EXPUNGE; CANCELUPDATE; PARTIAL (imaptest search-partial and sort-partial); NOUPDATE.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './imaptest/fixture.js';
import type { WireClient } from './wire-client.js';

let f: Fixture;
let folders = 0;

beforeAll(async () => {
  f = await fixture('context');
});
afterAll(async () => f?.close());

/** A new folder with `count` messages; returns its name. */
async function seed(count: number): Promise<string> {
  const name = `Ctx${++folders}`;
  const wire = await f.session();
  expect(await wire.command('C', `CREATE ${name}`)).toMatch(/^C OK/m);
  for (let i = 1; i <= count; i++) {
    expect(await appendWire(wire, `A${i}`, name, message(`s${i}`))).toMatch(new RegExp(`^A${i} OK`, 'm'));
  }
  wire.close();
  return name;
}

function lines(reply: string): string[] {
  return reply.split('\r\n').filter((l) => l.startsWith('* '));
}

/** The reply's untagged lines without RECENT and FETCH (which depend on who claimed \Recent first). */
function updates(reply: string): string[] {
  return lines(reply).filter((l) => !/^\* \d+ (RECENT|FETCH)/.test(l));
}

test('CONTEXT=SEARCH and CONTEXT=SORT are advertised', async () => {
  const wire = await f.session();
  const reply = await wire.command('C1', 'CAPABILITY');
  expect(reply).toMatch(/ CONTEXT=SEARCH[ \r]/);
  expect(reply).toMatch(/ CONTEXT=SORT[ \r]/);
});

describe('updates from this session (imaptest search-context-update groups)', () => {
  test('ADDTO and REMOVEFROM follow STORE; an expunged match is removed before its EXPUNGE; CANCELUPDATE stops it', async () => {
    const wire = await f.session(await seed(6));
    const first = await wire.command('T1', 'SEARCH RETURN (UPDATE) SEEN');
    expect(lines(first)).toEqual(['* ESEARCH (TAG "T1")']);
    expect(lines(await wire.command('S1', 'STORE 1,2,5 +FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T1") ADDTO (0 1:2,5)',
    ]);
    expect(lines(await wire.command('S2', 'STORE 1,2 -FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T1") REMOVEFROM (0 1:2)',
    ]);
    await wire.command('S3', 'STORE 3:6 +FLAGS.SILENT (\\Deleted)');
    const expunged = lines(await wire.command('E1', 'EXPUNGE'));
    expect(expunged[0]).toBe('* ESEARCH (TAG "T1") REMOVEFROM (0 5)');
    expect(expunged.slice(1)).toEqual(['* 6 EXPUNGE', '* 5 EXPUNGE', '* 4 EXPUNGE', '* 3 EXPUNGE']);
    expect(await wire.command('X1', 'CANCELUPDATE "T1"')).toMatch(/^X1 OK/m);
    expect(lines(await wire.command('S4', 'STORE 1 +FLAGS.SILENT (\\Seen)'))).toEqual([]);
  });

  test('RETURN (UPDATE ALL) answers ALL first (imaptest search-context-update2)', async () => {
    const wire = await f.session(await seed(5));
    await wire.command('S0', 'STORE 1,2 +FLAGS.SILENT (\\Seen)');
    expect(lines(await wire.command('T2', 'SEARCH RETURN (UPDATE ALL) OR SEEN SUBJECT s22'))).toEqual([
      '* ESEARCH (TAG "T2") ALL 1:2',
    ]);
    expect(lines(await wire.command('S1', 'STORE 3:5 +FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T2") ADDTO (0 3:5)',
    ]);
    expect(lines(await wire.command('S2', 'STORE 1:5 -FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T2") REMOVEFROM (0 1:5)',
    ]);
  });

  test('UID SEARCH RETURN (UPDATE ALL) speaks UIDs (imaptest search-context-update3)', async () => {
    const wire = await f.session(await seed(6));
    await wire.command('S0', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await wire.command('E0', 'EXPUNGE');
    // UIDs 2..6 are now messages 1..5
    await wire.command('S1', 'STORE 1,2 +FLAGS.SILENT (\\Seen)');
    expect(lines(await wire.command('T3', 'UID SEARCH RETURN (UPDATE ALL) OR SEEN SUBJECT s33'))).toEqual([
      '* ESEARCH (TAG "T3") UID ALL 2:3',
    ]);
    expect(lines(await wire.command('S2', 'STORE 3:5 +FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T3") UID ADDTO (0 4:6)',
    ]);
    expect(lines(await wire.command('S3', 'STORE 1:5 -FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T3") UID REMOVEFROM (0 2:6)',
    ]);
    expect(lines(await wire.command('S4', 'UID STORE 4,5 +FLAGS.SILENT (\\Seen)'))).toEqual([
      '* ESEARCH (TAG "T3") UID ADDTO (0 4:5)',
    ]);
    await wire.command('S5', 'STORE 3 +FLAGS.SILENT (\\Deleted)');
    expect(lines(await wire.command('E1', 'EXPUNGE'))).toEqual([
      '* ESEARCH (TAG "T3") UID REMOVEFROM (0 4)',
      '* 3 EXPUNGE',
    ]);
  });
});

describe('updates from a second connection', () => {
  let name: string;
  let watcher: WireClient;
  let other: WireClient;

  beforeAll(async () => {
    name = await seed(3);
    watcher = await f.session(name);
    other = await f.session(name);
  });

  test('APPEND, STORE and EXPUNGE elsewhere arrive as ADDTO and REMOVEFROM at the next NOOP', async () => {
    expect(lines(await watcher.command('W1', 'UID SEARCH RETURN (UPDATE ALL) FLAGGED'))).toEqual([
      '* ESEARCH (TAG "W1") UID',
    ]);
    // a flagged message arrives: EXISTS first, then ADDTO with its UID
    expect(await appendWire(other, 'P1', name, message('flagged'), ' (\\Flagged)')).toMatch(/^P1 OK/m);
    expect(updates(await watcher.command('N1', 'NOOP'))).toEqual([
      '* 4 EXISTS',
      '* ESEARCH (TAG "W1") UID ADDTO (0 4)',
    ]);
    // flags changed elsewhere: the FETCH, then the update
    await other.command('P2', 'STORE 2 +FLAGS.SILENT (\\Flagged)');
    await other.command('P3', 'STORE 4 -FLAGS.SILENT (\\Flagged)');
    expect(updates(await watcher.command('N2', 'NOOP'))).toEqual([
      '* ESEARCH (TAG "W1") UID REMOVEFROM (0 4)',
      '* ESEARCH (TAG "W1") UID ADDTO (0 2)',
    ]);
    // an expunged match: REMOVEFROM before the EXPUNGE
    await other.command('P4', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    await other.command('P5', 'EXPUNGE');
    expect(updates(await watcher.command('N3', 'NOOP'))).toEqual([
      '* ESEARCH (TAG "W1") UID REMOVEFROM (0 2)',
      '* 2 EXPUNGE',
    ]);
  });

  test('during IDLE the updates are pushed as they happen', async () => {
    expect(lines(await watcher.command('W2', 'SEARCH RETURN (UPDATE) SUBJECT pushed'))).toEqual([
      '* ESEARCH (TAG "W2")',
    ]);
    watcher.send('I1 IDLE\r\n');
    await watcher.readUntil(/^\+ /);
    expect(await appendWire(other, 'P6', name, message('pushed'))).toMatch(/^P6 OK/m);
    const pushed = await watcher.readUntil(/^\* ESEARCH \(TAG "W2"\)/);
    expect(updates(pushed)).toEqual(['* 4 EXISTS', '* ESEARCH (TAG "W2") ADDTO (0 4)']);
    watcher.send('DONE\r\n');
    await watcher.readUntil(/^I1 OK/);
  });
});

describe('CONTEXT=SORT', () => {
  test('ADDTO and REMOVEFROM carry the position in the sorted result', async () => {
    const name = await seed(4);
    const wire = await f.session(name);
    const other = await f.session(name);
    await wire.command('S0', 'STORE 1:4 +FLAGS.SILENT (\\Seen)');
    expect(lines(await wire.command('R1', 'SORT RETURN (UPDATE ALL) (REVERSE ARRIVAL) UTF-8 SEEN'))).toEqual([
      '* ESEARCH (TAG "R1") ALL 4,3,2,1',
    ]);
    // the newest message goes first in reverse arrival order
    expect(await appendWire(other, 'P1', name, message('new'), ' (\\Seen)')).toMatch(/^P1 OK/m);
    expect(updates(await wire.command('N1', 'NOOP'))).toEqual(['* 5 EXISTS', '* ESEARCH (TAG "R1") ADDTO (1 5)']);
    // result now 5,4,3,2,1: messages 3 and 2 sit at places 3 and 4
    await other.command('P2', 'STORE 2:3 -FLAGS.SILENT (\\Seen)');
    expect(updates(await wire.command('N2', 'NOOP'))).toEqual(['* ESEARCH (TAG "R1") REMOVEFROM (3 3,2)']);
    // back in: at places 3 and 4 again, in sort order
    await other.command('P3', 'STORE 2:3 +FLAGS.SILENT (\\Seen)');
    expect(updates(await wire.command('N3', 'NOOP'))).toEqual(['* ESEARCH (TAG "R1") ADDTO (3 3,2)']);
    // places 1 and 5, highest first so each place is read before the other removal
    await other.command('P4', 'STORE 1,5 -FLAGS.SILENT (\\Seen)');
    expect(updates(await wire.command('N4', 'NOOP'))).toEqual([
      '* ESEARCH (TAG "R1") REMOVEFROM (5 1) REMOVEFROM (1 5)',
    ]);
  });
});

describe('PARTIAL (imaptest search-partial and sort-partial)', () => {
  let wire: WireClient;
  beforeAll(async () => {
    wire = await f.session(await seed(5));
  });

  test.each([
    ['SEARCH RETURN (PARTIAL 1:1) ALL', '* ESEARCH (TAG "P") PARTIAL (1:1 1)'],
    ['SEARCH RETURN (PARTIAL 2:4) ALL', '* ESEARCH (TAG "P") PARTIAL (2:4 2:4)'],
    ['SEARCH RETURN (PARTIAL 4:2) ALL', '* ESEARCH (TAG "P") PARTIAL (2:4 2:4)'],
    ['SEARCH RETURN (PARTIAL 1:6) ALL', '* ESEARCH (TAG "P") PARTIAL (1:6 1:5)'],
    ['SEARCH RETURN (PARTIAL 7:9 COUNT) ALL', '* ESEARCH (TAG "P") PARTIAL (7:9 NIL) COUNT 5'],
    ['UID SEARCH RETURN (PARTIAL 2:3) ALL', '* ESEARCH (TAG "P") UID PARTIAL (2:3 2:3)'],
    ['SORT RETURN (PARTIAL 1:1) (ARRIVAL) US-ASCII ALL', '* ESEARCH (TAG "P") PARTIAL (1:1 1)'],
    ['SORT RETURN (PARTIAL 4:2) (ARRIVAL) US-ASCII ALL', '* ESEARCH (TAG "P") PARTIAL (2:4 2:4)'],
    ['SORT RETURN (PARTIAL 2:4) (REVERSE ARRIVAL) US-ASCII ALL', '* ESEARCH (TAG "P") PARTIAL (2:4 4,3,2)'],
    ['SORT RETURN (PARTIAL 1:6) (REVERSE ARRIVAL) US-ASCII ALL', '* ESEARCH (TAG "P") PARTIAL (1:6 5,4,3,2,1)'],
  ])('%s', async (command, expected) => {
    expect(lines(await wire.command('P', command))).toEqual([expected]);
  });

  test.each([
    'SEARCH RETURN (PARTIAL 1) ALL',
    'SEARCH RETURN (PARTIAL 1:*) ALL',
    'SEARCH RETURN (PARTIAL *:1) ALL',
    'SEARCH RETURN (PARTIAL 0:2) ALL',
    'SEARCH RETURN (PARTIAL 1:2 ALL) ALL',
    'SORT RETURN (PARTIAL 1) (ARRIVAL) US-ASCII ALL',
  ])('%s is BAD', async (command) => {
    expect(await wire.command('B', command)).toMatch(/^B BAD/m);
  });
});

describe('refusals', () => {
  test('a second UPDATE with a tag in use is BAD; CANCELUPDATE of an unknown tag is BAD', async () => {
    const wire = await f.session(await seed(2));
    expect(await wire.command('U1', 'SEARCH RETURN (UPDATE) ALL')).toMatch(/^U1 OK/m);
    expect(await wire.command('U1', 'SEARCH RETURN (UPDATE) ALL')).toMatch(/^U1 BAD/m);
    expect(await wire.command('X1', 'CANCELUPDATE "nope"')).toMatch(/^X1 BAD/m);
    expect(await wire.command('X2', 'CANCELUPDATE')).toMatch(/^X2 BAD/m);
    expect(await wire.command('X3', 'CANCELUPDATE "U1" "nope"')).toMatch(/^X3 BAD/m);
    // the failed CANCELUPDATE cancelled nothing
    expect(lines(await wire.command('S1', 'STORE 1 +FLAGS.SILENT (\\Deleted)'))).toEqual([]);
    expect(lines(await wire.command('E1', 'EXPUNGE'))).toEqual([
      '* ESEARCH (TAG "U1") REMOVEFROM (0 1)',
      '* 1 EXPUNGE',
    ]);
  });

  test('past ten contexts, and with PARTIAL, the command answers with NO [NOUPDATE] and keeps none', async () => {
    const wire = await f.session(await seed(2));
    for (let i = 0; i < 10; i++) {
      expect(lines(await wire.command(`K${i}`, 'SEARCH RETURN (UPDATE) ALL'))).toEqual([`* ESEARCH (TAG "K${i}")`]);
    }
    expect(lines(await wire.command('K10', 'SEARCH RETURN (UPDATE COUNT) ALL'))).toEqual([
      '* ESEARCH (TAG "K10") COUNT 2',
      '* NO [NOUPDATE "K10"] Too many search updates on this folder',
    ]);
    expect(await wire.command('X1', 'CANCELUPDATE "K0"')).toMatch(/^X1 OK/m);
    expect(lines(await wire.command('Q1', 'SEARCH RETURN (UPDATE PARTIAL 1:1) ALL'))).toEqual([
      '* ESEARCH (TAG "Q1") PARTIAL (1:1 1)',
      '* NO [NOUPDATE "Q1"] UPDATE is not kept for a PARTIAL result',
    ]);
    expect(await wire.command('X2', 'CANCELUPDATE "Q1"')).toMatch(/^X2 BAD/m);
  });

  test('a new SELECT forgets the contexts of the old one', async () => {
    const name = await seed(2);
    const wire = await f.session(name);
    expect(await wire.command('U1', 'SEARCH RETURN (UPDATE) ALL')).toMatch(/^U1 OK/m);
    expect(await wire.command('S1', `SELECT ${name}`)).toMatch(/^S1 OK/m);
    expect(await wire.command('X1', 'CANCELUPDATE "U1"')).toMatch(/^X1 BAD/m);
  });
});
