/**
 * IMAP4rev2 (RFC 9051) where `ENABLE IMAP4rev2` changes behaviour (§6.3.1): no \Recent flag and no RECENT or
 * UNSEEN in SELECT (§7.4, §6.3.2), SEARCH answers in ESEARCH form (§6.4.4, §7.3.4), UTF-8 folder names
 * (§5.1), STATUS DELETED and SIZE (§6.3.11), and the LIST extensions of the base protocol (§6.3.9).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('rev2');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  for (let i = 1; i <= 4; i++) await s.append('INBOX', message(`m${i}`), { flags: i % 2 ? ['\\Seen'] : [] });
  s.close();
});

afterAll(async () => h?.close());

function lines(reply: string): string[] {
  return reply.split('\r\n');
}

async function rev2Client(): Promise<WireClient> {
  const c = await loginWire(h.port, user.address, user.password);
  expect(lines(await c.command('E1', 'ENABLE IMAP4rev2'))).toContain('* ENABLED IMAP4rev2');
  return c;
}

describe('IMAP4rev2 (RFC 9051)', () => {
  test('CAPABILITY announces IMAP4rev2 beside IMAP4rev1', async () => {
    const c = await loginWire(h.port, user.address, user.password);
    expect(await c.command('C1', 'CAPABILITY')).toMatch(/^\* CAPABILITY IMAP4rev1 .*IMAP4rev2 /m);
    c.close();
  });

  test('SELECT sends no RECENT and no UNSEEN; FETCH FLAGS has no \\Recent', async () => {
    const c = await rev2Client();
    const select = await c.command('S1', 'SELECT INBOX');
    expect(select).toMatch(/^\* 4 EXISTS/m);
    expect(select).not.toMatch(/RECENT|\[UNSEEN/);
    const fetched = await c.command('F1', 'FETCH 1:4 (FLAGS)');
    expect(fetched).not.toMatch(/\\Recent/);
    c.close();
  });

  test('SEARCH and UID SEARCH answer with ESEARCH, ALL by default', async () => {
    const c = await rev2Client();
    await c.command('S1', 'SELECT INBOX');
    expect(lines(await c.command('Q1', 'SEARCH UNSEEN'))).toContain('* ESEARCH (TAG "Q1") ALL 2,4');
    expect(lines(await c.command('Q2', 'UID SEARCH ALL'))).toContain('* ESEARCH (TAG "Q2") UID ALL 1:4');
    expect(lines(await c.command('Q3', 'SEARCH SUBJECT absent'))).toContain('* ESEARCH (TAG "Q3")');
    expect(lines(await c.command('Q4', 'SEARCH RETURN (COUNT) SEEN'))).toContain('* ESEARCH (TAG "Q4") COUNT 2');
    c.close();
  });

  test('a session without ENABLE IMAP4rev2 keeps IMAP4rev1 replies', async () => {
    const c = await loginWire(h.port, user.address, user.password);
    expect(await c.command('S1', 'SELECT INBOX')).toMatch(/^\* \d+ RECENT/m);
    expect(lines(await c.command('Q1', 'SEARCH UNSEEN'))).toContain('* SEARCH 2 4');
    c.close();
  });

  test('UTF-8 folder names, STATUS DELETED/SIZE and LIST RETURN (STATUS)', async () => {
    const c = await rev2Client();
    expect(await c.command('U1', 'CREATE "Caf\u00c3\u00a9"')).toMatch(/^U1 OK/m);
    expect(lines(await c.command('U2', 'LIST "" "Caf*"'))).toContain('* LIST (\\HasNoChildren) "/" "Caf\u00c3\u00a9"');
    expect(await c.command('U3', 'STATUS INBOX (MESSAGES DELETED SIZE)')).toMatch(/MESSAGES 4 DELETED 0 SIZE \d+\)/);
    const listed = lines(await c.command('U4', 'LIST "" INBOX RETURN (STATUS (UNSEEN))'));
    expect(listed).toContain('* STATUS "INBOX" (UNSEEN 2)');
    c.close();
  });
});
