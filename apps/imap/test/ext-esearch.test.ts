/**
 * ESEARCH (RFC 4731), SEARCHRES (RFC 5182), WITHIN (RFC 5032) and the SAVEDATE (RFC 8514) and OBJECTID
 * (RFC 8474) search keys on the wire.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('searcher');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  const now = Date.now();
  // uid 1..6: 1, 3, 5 seen; 2 and 4 arrived two days ago, the rest a minute ago
  for (let i = 1; i <= 6; i++) {
    const age = i === 2 || i === 4 ? 2 * 86_400_000 : 60_000;
    await s.append('INBOX', message(`note ${i}`), {
      internalDate: new Date(now - age),
      flags: i % 2 === 1 ? ['\\Seen'] : [],
    });
  }
  s.close();
  c = await loginWire(h.port, user.address, user.password);
  await c.command('S0', 'SELECT INBOX');
});

afterAll(async () => {
  c?.close();
  await h?.close();
});

function lines(reply: string): string[] {
  return reply.split('\r\n');
}

describe('ESEARCH (RFC 4731)', () => {
  test('CAPABILITY announces ESEARCH and SEARCHRES', async () => {
    const reply = await c.command('C0', 'CAPABILITY');
    expect(reply).toMatch(/ ESEARCH( |\r)/);
    expect(reply).toMatch(/ SEARCHRES( |\r)/);
  });

  test.each([
    ['SEARCH RETURN (MIN COUNT) UNSEEN', '* ESEARCH (TAG "E1") MIN 2 COUNT 3'],
    ['SEARCH RETURN (MAX) SEEN', '* ESEARCH (TAG "E1") MAX 5'],
    ['SEARCH RETURN () ALL', '* ESEARCH (TAG "E1") ALL 1:6'],
    ['UID SEARCH RETURN (ALL COUNT) SEEN', '* ESEARCH (TAG "E1") UID ALL 1,3,5 COUNT 3'],
    ['SEARCH RETURN (MIN MAX ALL COUNT) SUBJECT absent', '* ESEARCH (TAG "E1") COUNT 0'],
    // imaptest esearch "nonexistent": a message number past the last one matches nothing
    ['SEARCH RETURN () 1000', '* ESEARCH (TAG "E1")'],
    ['SEARCH RETURN (COUNT) 1000', '* ESEARCH (TAG "E1") COUNT 0'],
    ['UID SEARCH RETURN (MIN) 1000', '* ESEARCH (TAG "E1") UID'],
    ['SEARCH RETURN (ALL) 5:1000', '* ESEARCH (TAG "E1") ALL 5:6'],
  ])('%s', async (command, expected) => {
    const reply = await c.command('E1', command);
    expect(lines(reply)).toContain(expected);
    expect(reply).toMatch(/^E1 OK/m);
  });

  test('without RETURN the classic SEARCH reply is kept (IMAP4rev1)', async () => {
    expect(lines(await c.command('E2', 'SEARCH UNSEEN'))).toContain('* SEARCH 2 4 6');
  });

  test('MODSEQ (RFC 7162 §3.1.5): the highest of the reported messages', async () => {
    const modseqs = await c.command('M0', 'FETCH 1:6 (MODSEQ)');
    const of = (seq: number) =>
      Number(new RegExp(`^\\* ${seq} FETCH \\(MODSEQ \\((\\d+)\\)\\)`, 'm').exec(modseqs)?.[1]);
    const all = Math.max(...[1, 2, 3, 4, 5, 6].map(of));
    expect(lines(await c.command('M1', 'SEARCH RETURN (MIN) MODSEQ 1'))).toContain(
      `* ESEARCH (TAG "M1") MIN 1 MODSEQ ${of(1)}`,
    );
    expect(lines(await c.command('M2', 'SEARCH RETURN (COUNT) MODSEQ 1'))).toContain(
      `* ESEARCH (TAG "M2") COUNT 6 MODSEQ ${all}`,
    );
  });

  test('an unknown RETURN option is BAD', async () => {
    expect(await c.command('E3', 'SEARCH RETURN (EVERYTHING) ALL')).toMatch(/^E3 BAD/m);
  });
});

describe('SEARCHRES (RFC 5182)', () => {
  test('SAVE keeps the result without an ESEARCH reply; $ names it in SEARCH, FETCH and STORE', async () => {
    const saved = await c.command('R1', 'SEARCH RETURN (SAVE) UNSEEN');
    expect(saved).not.toMatch(/ESEARCH/);
    expect(saved).toMatch(/^R1 OK/m);
    expect(lines(await c.command('R2', 'SEARCH $'))).toContain('* SEARCH 2 4 6');
    expect(lines(await c.command('R3', 'SEARCH $ SUBJECT "note 4"'))).toContain('* SEARCH 4');
    const fetched = await c.command('R4', 'FETCH $ (UID)');
    expect(fetched).toMatch(/^\* 2 FETCH \(UID 2\)/m);
    expect(fetched).toMatch(/^\* 6 FETCH \(UID 6\)/m);
    expect(fetched).not.toMatch(/^\* 1 FETCH/m);
    expect(await c.command('R5', 'UID STORE $ +FLAGS.SILENT (\\Flagged)')).toMatch(/^R5 OK/m);
    expect(lines(await c.command('R6', 'SEARCH FLAGGED'))).toContain('* SEARCH 2 4 6');
  });

  test('SAVE with MIN keeps only the minimum; a failed SEARCH ... SAVE empties $', async () => {
    await c.command('R7', 'SEARCH RETURN (SAVE MIN) SEEN');
    expect(lines(await c.command('R8', 'SEARCH $'))).toContain('* SEARCH 1');
    expect(await c.command('R9', 'SEARCH RETURN (SAVE) NOSUCHKEY')).toMatch(/^R9 BAD/m);
    expect(lines(await c.command('R10', 'SEARCH $'))).toContain('* SEARCH');
  });

  test('a new SELECT forgets the saved result', async () => {
    await c.command('R11', 'SEARCH RETURN (SAVE) ALL');
    await c.command('R12', 'SELECT INBOX');
    expect(lines(await c.command('R13', 'SEARCH $'))).toContain('* SEARCH');
  });
});

describe('WITHIN, SAVEDATE and OBJECTID search keys', () => {
  test('WITHIN (RFC 5032): OLDER and YOUNGER in seconds', async () => {
    const reply = await c.command('W0', 'CAPABILITY');
    expect(reply).toMatch(/ WITHIN( |\r)/);
    expect(lines(await c.command('W1', 'SEARCH OLDER 86400'))).toContain('* SEARCH 2 4');
    expect(lines(await c.command('W2', 'SEARCH YOUNGER 3600'))).toContain('* SEARCH 1 3 5 6');
    expect(await c.command('W3', 'SEARCH YOUNGER 0')).toMatch(/^W3 BAD/m);
  });

  test('SAVEDATE (RFC 8514): SAVEDSINCE today finds everything just stored; SAVEDATESUPPORTED matches all', async () => {
    const today = new Date();
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const date = `${today.getUTCDate()}-${months[today.getUTCMonth()]}-${today.getUTCFullYear()}`;
    expect(lines(await c.command('D1', `SEARCH SAVEDSINCE ${date}`))).toContain('* SEARCH 1 2 3 4 5 6');
    expect(lines(await c.command('D2', `SEARCH SAVEDBEFORE ${date}`))).toContain('* SEARCH');
    expect(lines(await c.command('D3', 'SEARCH SAVEDATESUPPORTED'))).toContain('* SEARCH 1 2 3 4 5 6');
  });

  test('OBJECTID (RFC 8474 §5): SEARCH EMAILID and THREADID with ids from FETCH', async () => {
    const fetched = await c.command('O1', 'FETCH 3 (EMAILID THREADID)');
    const m = /EMAILID \(([\w-]+)\) THREADID \(([\w-]+)\)/.exec(fetched);
    expect(m).not.toBeNull();
    expect(lines(await c.command('O2', `SEARCH EMAILID ${m?.[1]}`))).toContain('* SEARCH 3');
    expect(lines(await c.command('O3', `SEARCH THREADID ${m?.[2]}`))).toContain('* SEARCH 3');
    expect(await c.command('O4', 'SEARCH EMAILID bad.id')).toMatch(/^O4 BAD/m);
  });
});

// Last: it moves a message out of INBOX.
describe('SEARCHRES in other commands', () => {
  test('$ in COPY, MOVE and UID EXPUNGE (RFC 5182 §2.2)', async () => {
    await c.command('X1', 'CREATE SavedCopies');
    await c.command('X2', 'UID SEARCH RETURN (SAVE) SUBJECT "note 6"');
    expect(await c.command('X3', 'COPY $ SavedCopies')).toMatch(/^X3 OK \[COPYUID \d+ 6 1\]/m);
    await c.command('X4', 'SELECT SavedCopies');
    await c.command('X5', 'SEARCH RETURN (SAVE) ALL');
    await c.command('X6', 'STORE $ +FLAGS.SILENT (\\Deleted)');
    const expunged = await c.command('X7', 'UID EXPUNGE $');
    expect(expunged).toMatch(/^\* 1 EXPUNGE/m);
    expect(await c.command('X8', 'STATUS SavedCopies (MESSAGES)')).toMatch(/MESSAGES 0\)/);
    await c.command('X9', 'SELECT INBOX');
    await c.command('X10', 'SEARCH RETURN (SAVE) SUBJECT "note 5"');
    expect(await c.command('X11', 'MOVE $ SavedCopies')).toMatch(/^X11 OK/m);
    expect(await c.command('X12', 'STATUS SavedCopies (MESSAGES)')).toMatch(/MESSAGES 1\)/);
  });
});
