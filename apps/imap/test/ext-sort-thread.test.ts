/**
 * SORT (RFC 5256 §3), SORT=DISPLAY (RFC 5957), ESORT (RFC 5267 §3), THREAD=REFERENCES and
 * THREAD=ORDEREDSUBJECT (RFC 5256 §3) on the wire, with replies as the RFCs write them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;

function mail(headers: string[], body = 'body'): Buffer {
  return Buffer.from(`${[...headers, ''].join('\r\n')}\r\n${body}\r\n`);
}

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('sorter');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  const put = (raw: Buffer, iso: string) => s.append('INBOX', raw, { internalDate: new Date(iso) });
  // 1..4 for SORT
  await put(
    mail([
      'From: "Zoe" <bob@x.test>',
      'To: carol@x.test',
      'Subject: Re: banana',
      'Date: Mon, 02 Mar 2026 12:00:00 +0100',
    ]),
    '2026-03-05T00:00:00Z',
  );
  await put(
    mail(
      ['From: Adam <zed@x.test>', 'To: alice@x.test', 'Subject: apple', 'Date: Mon, 02 Mar 2026 11:30:00 +0000'],
      'x',
    ),
    '2026-03-04T00:00:00Z',
  );
  await put(
    mail(['From: alice@x.test', 'To: bob@x.test', 'Subject: [list] Cherry (fwd)'], 'x'.repeat(200)),
    '2026-03-01T00:00:00Z',
  );
  await put(
    mail([
      'From: _under@x.test',
      'To: Zara <zara@x.test>',
      'Subject: Fwd: APPLE',
      'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    ]),
    '2026-03-06T00:00:00Z',
  );
  s.store('INBOX', [2], { mode: 'add', flags: ['\\Seen'] });
  // imaptest thread.mbox in its own folder: a@b, b@b (References: <c@b> <a@b>), c@b (References: <b@b>)
  s.createFolder('Threads');
  await s.appendMany('Threads', [
    { raw: mail(['Message-ID: <a@b>']), opts: { internalDate: new Date('2008-02-22T17:06:23Z') } },
    {
      raw: mail(['Message-Id: <b@b>', 'References: <c@b> <a@b>']),
      opts: { internalDate: new Date('2008-02-22T15:06:23Z') },
    },
    { raw: mail(['Message-Id: <c@b>', 'References: <b@b>']), opts: { internalDate: new Date('2008-02-22T16:06:25Z') } },
    { raw: mail(['Message-Id: <d@b>', 'Subject: topic']), opts: { internalDate: new Date('2008-02-23T10:00:00Z') } },
    {
      raw: mail(['Message-Id: <e@b>', 'Subject: Re: topic']),
      opts: { internalDate: new Date('2008-02-23T11:00:00Z') },
    },
  ]);
  // imaptest sort-subject.mbox
  s.createFolder('Subjects');
  const subjects = [
    'a',
    'C',
    'b',
    '_',
    '[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)',
    'b (a)',
    'Re: [FWD: c]',
    '[xyz]',
    null,
  ];
  const bodies = ['1', '2', '3', '4', '55', '66', '77', '88', '9'];
  await s.appendMany(
    'Subjects',
    subjects.map((subject, i) => ({ raw: mail(subject === null ? [] : [`Subject: ${subject}`], bodies[i]) })),
  );
  s.close();
  c = await loginWire(h.port, user.address, user.password);
});

function lines(reply: string): string[] {
  return reply.split('\r\n');
}

afterAll(async () => {
  c?.close();
  await h?.close();
});

describe('SORT', () => {
  test('CAPABILITY announces SORT, SORT=DISPLAY and ESORT', async () => {
    const reply = await c.command('C0', 'CAPABILITY');
    expect(reply).toMatch(/^\* CAPABILITY .* SORT .*SORT=DISPLAY/m);
    expect(reply).toMatch(/ ESORT( |\r)/);
  });

  const rows: Array<[string, string]> = [
    ['SORT (ARRIVAL) UTF-8 ALL', '* SORT 3 2 1 4'],
    // uid 3 has no Date header: its internal date stands in (RFC 5256 §2.2)
    ['SORT (DATE) UTF-8 UID 1:4', '* SORT 3 4 1 2'],
    ['SORT (REVERSE DATE) UTF-8 UID 1:4', '* SORT 2 1 4 3'],
    ['SORT (SUBJECT) US-ASCII UID 1:4', '* SORT 2 4 1 3'],
    ['SORT (SUBJECT REVERSE ARRIVAL) UTF-8 UID 1:4', '* SORT 4 2 1 3'],
    ['SORT (FROM) UTF-8 UID 1:4', '* SORT 3 1 2 4'],
    ['SORT (TO) UTF-8 UID 1:4', '* SORT 2 3 1 4'],
    ['SORT (SIZE) UTF-8 UID 1:3', '* SORT 2 1 3'],
    ['SORT (DISPLAYFROM) UTF-8 UID 1:4', '* SORT 2 3 1 4'],
    ['SORT (DISPLAYTO) UTF-8 UID 1:4', '* SORT 2 3 1 4'],
    ['SORT (SUBJECT) UTF-8 UNSEEN UID 1:4', '* SORT 4 1 3'],
    ['SORT (SUBJECT) UTF-8 SUBJECT nothing-like-this', '* SORT'],
    ['UID SORT (REVERSE ARRIVAL) UTF-8 ALL', '* SORT 4 1 2 3'],
  ];

  test.each(rows)('%s', async (command, expected) => {
    await c.command('S0', 'SELECT INBOX');
    const reply = await c.command('S1', command);
    expect(reply.split('\r\n')).toContain(expected);
    expect(reply).toMatch(/^S1 OK/m);
  });

  test('imaptest "sort-subject": base subjects in i;ascii-casemap order', async () => {
    await c.command('S0', 'SELECT Subjects');
    expect(lines(await c.command('I1', 'SORT (SUBJECT) US-ASCII ALL'))).toContain('* SORT 9 1 3 5 6 2 7 8 4');
    expect(lines(await c.command('I2', 'SORT (REVERSE SUBJECT) US-ASCII ALL'))).toContain('* SORT 4 8 2 7 6 3 5 1 9');
    expect(lines(await c.command('I3', 'SORT (SUBJECT REVERSE SIZE) US-ASCII ALL'))).toContain(
      '* SORT 9 1 5 3 6 7 2 8 4',
    );
  });

  test('ESORT (RFC 5267 §3.2): MIN, MAX and ALL in sort order, COUNT', async () => {
    await c.command('S0', 'SELECT INBOX');
    const reply = await c.command('S2', 'UID SORT RETURN (MIN MAX ALL COUNT) (SUBJECT) UTF-8 UID 1:4');
    expect(reply).toMatch(/^\* ESEARCH \(TAG "S2"\) UID MIN 2 MAX 3 ALL 2,4,1,3 COUNT 4\r$/m);
    const empty = await c.command('S3', 'SORT RETURN (MIN COUNT) (SUBJECT) UTF-8 SUBJECT nothing-like-this');
    expect(empty).toMatch(/^\* ESEARCH \(TAG "S3"\) COUNT 0\r$/m);
  });

  test('bad criteria are BAD, an unknown charset is NO [BADCHARSET]', async () => {
    await c.command('S0', 'SELECT INBOX');
    expect(await c.command('B1', 'SORT (COLOUR) UTF-8 ALL')).toMatch(/^B1 BAD/m);
    expect(await c.command('B2', 'SORT (REVERSE) UTF-8 ALL')).toMatch(/^B2 BAD/m);
    expect(await c.command('B3', 'SORT () UTF-8 ALL')).toMatch(/^B3 BAD/m);
    expect(await c.command('B4', 'SORT (SUBJECT) KOI8-R ALL')).toMatch(/^B4 NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/m);
    expect(await c.command('B5', 'SORT (SUBJECT)')).toMatch(/^B5 BAD/m);
  });
});

describe('THREAD', () => {
  test('CAPABILITY announces both algorithms', async () => {
    const reply = await c.command('C1', 'CAPABILITY');
    expect(reply).toMatch(/ THREAD=ORDEREDSUBJECT/);
    expect(reply).toMatch(/ THREAD=REFERENCES/);
  });

  test('imaptest "thread": REFERENCES follows the chain and refuses the loop', async () => {
    await c.command('T0', 'SELECT Threads');
    const reply = await c.command('T1', 'THREAD REFERENCES US-ASCII 1:3');
    expect(reply.split('\r\n')).toContain('* THREAD (3 1 2)');
    expect(reply).toMatch(/^T1 OK/m);
  });

  test('REFERENCES merges threads by base subject; ORDEREDSUBJECT groups by subject', async () => {
    await c.command('T0', 'SELECT Threads');
    expect((await c.command('T2', 'THREAD REFERENCES UTF-8 ALL')).split('\r\n')).toContain('* THREAD (3 1 2)(4 5)');
    expect((await c.command('T3', 'UID THREAD ORDEREDSUBJECT UTF-8 ALL')).split('\r\n')).toContain(
      '* THREAD (2 (3)(1))(4 5)',
    );
    expect((await c.command('T4', 'THREAD REFERENCES UTF-8 SUBJECT none-such')).split('\r\n')).toContain('* THREAD');
  });

  test('an unknown algorithm is BAD', async () => {
    await c.command('T0', 'SELECT Threads');
    expect(await c.command('T5', 'THREAD BYDATE UTF-8 ALL')).toMatch(/^T5 BAD/m);
  });
});
