/** SEARCH / UID SEARCH (RFC 3501 §6.4.4) and MODSEQ search (RFC 7162 §3.1.5). */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let wire: WireClient;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('search');
  const client = await h.client(user);
  await client.append(
    'INBOX',
    message('Quarterly report', 'The numbers are in: zanzibar growth.'),
    ['\\Seen'],
    new Date('2026-01-10T10:00:00Z'),
  );
  await client.append(
    'INBOX',
    message('Lunch plans', 'Pizza on Friday?', 'Cc: carol@example.test'),
    [],
    new Date('2026-02-10T10:00:00Z'),
  );
  await client.append(
    'INBOX',
    message('Re: Quarterly report', 'Looks good.'),
    ['\\Flagged', 'Work'],
    new Date('2026-03-10T10:00:00Z'),
  );
  await client.logout();
  wire = await loginWire(h.port, user.address, user.password);
  await wire.command('S0', 'SELECT INBOX');
});
afterAll(async () => {
  wire?.close();
  await h?.close();
});

const cases: Array<[criteria: string, expected: string]> = [
  ['ALL', '1 2 3'],
  ['SUBJECT quarterly', '1 3'],
  ['TEXT zanzibar', '1'],
  ['BODY pizza', '2'],
  ['CC carol', '2'],
  ['FROM sender@example.test', '1 2 3'],
  ['HEADER Subject lunch', '2'],
  ['SEEN', '1'],
  ['UNSEEN', '2 3'],
  ['FLAGGED', '3'],
  ['KEYWORD Work', '3'],
  ['UNKEYWORD Work', '1 2'],
  ['NOT SEEN', '2 3'],
  ['OR FLAGGED SEEN', '1 3'],
  ['OR (SUBJECT lunch) (SUBJECT report NOT FLAGGED)', '1 2'],
  ['SINCE 1-Feb-2026', '2 3'],
  ['BEFORE 1-Feb-2026', '1'],
  ['ON 10-Mar-2026', '3'],
  ['SENTON 2-Nov-2026', '1 2 3'],
  ['LARGER 10', '1 2 3'],
  ['SMALLER 10', ''],
  ['2:3 SUBJECT report', '3'],
  ['UID 1,3', '1 3'],
  ['CHARSET UTF-8 SUBJECT plans', '2'],
];

test.each(cases)('SEARCH %s', async (criteria, expected) => {
  const reply = await wire.command('Q', `SEARCH ${criteria}`);
  expect(reply).toMatch(new RegExp(`^\\* SEARCH${expected ? ` ${expected}` : ''}\\r\\nQ OK`, 'm'));
});

test('UID SEARCH answers UIDs, not sequence numbers', async () => {
  const client = await h.client(user);
  await client.mailboxOpen('INBOX');
  await client.messageDelete('1');
  const reply = await wire.command('U0', 'NOOP');
  expect(reply).toMatch(/^\* 1 EXPUNGE/m);
  expect(await wire.command('U1', 'UID SEARCH SUBJECT report')).toMatch(/^\* SEARCH 3$/m);
  expect(await wire.command('U2', 'SEARCH SUBJECT report')).toMatch(/^\* SEARCH 2$/m);
  await client.logout();
});

test('MODSEQ search answers the highest modseq of the matches', async () => {
  const reply = await wire.command('M1', 'SEARCH MODSEQ 1');
  expect(reply).toMatch(/^\* SEARCH 1 2 \(MODSEQ \d+\)$/m);
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
