/**
 * LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), STATUS=SIZE (RFC 8438), STATUS DELETED (RFC 9051 §6.3.11)
 * and CREATE-SPECIAL-USE (RFC 6154 §3) on the wire.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;
let sizes: number[] = [];

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('lister');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  const raws = [message('a'), message('bb'), message('ccc')];
  sizes = raws.map((r) => r.length);
  for (const [i, raw] of raws.entries())
    await s.append('INBOX', raw, { flags: i === 0 ? ['\\Deleted', '\\Seen'] : [] });
  s.createFolder('Work/Projects/Alpha');
  s.setSubscribed('Work', false);
  s.setSubscribed('Work/Projects', false);
  s.setSubscribed('Trash', false);
  s.close();
  c = await loginWire(h.port, user.address, user.password);
});

afterAll(async () => {
  c?.close();
  await h?.close();
});

function lines(reply: string): string[] {
  return reply.split('\r\n').filter((l) => l.startsWith('* '));
}

describe('LIST-EXTENDED (RFC 5258)', () => {
  test('CAPABILITY announces LIST-EXTENDED, LIST-STATUS, STATUS=SIZE, CREATE-SPECIAL-USE', async () => {
    const reply = await c.command('C0', 'CAPABILITY');
    for (const cap of ['LIST-EXTENDED', 'LIST-STATUS', 'STATUS=SIZE', 'CREATE-SPECIAL-USE']) {
      expect(reply).toMatch(new RegExp(` ${cap}( |\\r)`));
    }
  });

  test('the basic form is unchanged', async () => {
    expect(lines(await c.command('L1', 'LIST "" %'))).toContain('* LIST (\\HasChildren) "/" "Work"');
  });

  test('several patterns in one LIST', async () => {
    const reply = lines(await c.command('L2', 'LIST "" (INBOX "Work/%")'));
    expect(reply).toEqual(['* LIST (\\HasNoChildren) "/" "INBOX"', '* LIST (\\HasChildren) "/" "Work/Projects"']);
  });

  test('(SUBSCRIBED) lists subscribed folders with \\Subscribed; RECURSIVEMATCH adds CHILDINFO', async () => {
    const subscribed = lines(await c.command('L3', 'LIST (SUBSCRIBED) "" "Work*"'));
    expect(subscribed).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Projects/Alpha"']);
    const recursive = lines(await c.command('L4', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "Work/%"'));
    expect(recursive).toEqual(['* LIST (\\HasChildren) "/" "Work/Projects" ("CHILDINFO" ("SUBSCRIBED"))']);
    // imaptest listext: no CHILDINFO when the subscribed descendant is listed itself
    const both = lines(await c.command('L4b', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "*Alpha"'));
    expect(both).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Projects/Alpha"']);
    const star = lines(await c.command('L4c', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "Work*"'));
    expect(star).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Projects/Alpha"']);
  });

  test('RETURN (SUBSCRIBED CHILDREN) marks subscribed folders among all', async () => {
    const reply = lines(await c.command('L5', 'LIST "" "Work*" RETURN (SUBSCRIBED CHILDREN)'));
    expect(reply).toEqual([
      '* LIST (\\HasChildren) "/" "Work"',
      '* LIST (\\HasChildren) "/" "Work/Projects"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Projects/Alpha"',
    ]);
  });

  test('(SPECIAL-USE) lists only folders with a special use (RFC 6154 §3)', async () => {
    const reply = lines(await c.command('L6', 'LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)'));
    expect(reply.map((l) => /"([^"]+)"$/.exec(l)?.[1])).toEqual(['Archive', 'Drafts', 'Junk', 'Sent', 'Trash']);
    expect(reply).toContain('* LIST (\\HasNoChildren \\Sent) "/" "Sent"');
  });

  test('a deleted subscribed folder stays subscribed: \\NonExistent in LIST (SUBSCRIBED), \\Noselect in LSUB', async () => {
    expect(await c.command('D1', 'CREATE Ephemeral')).toMatch(/^D1 OK/m);
    expect(await c.command('D2', 'DELETE Ephemeral')).toMatch(/^D2 OK/m);
    const listed = lines(await c.command('D3', 'LIST (SUBSCRIBED) "" Eph* RETURN (STATUS (MESSAGES))'));
    expect(listed).toEqual(['* LIST (\\Subscribed \\NonExistent) "/" "Ephemeral"']);
    expect(lines(await c.command('D4', 'LSUB "" Eph*'))).toEqual(['* LSUB (\\Noselect) "/" "Ephemeral"']);
    expect(lines(await c.command('D5', 'LIST "" Eph*'))).toEqual([]);
    expect(await c.command('D6', 'UNSUBSCRIBE Ephemeral')).toMatch(/^D6 OK/m);
    expect(lines(await c.command('D7', 'LSUB "" Eph*'))).toEqual([]);
  });

  test('bad options are BAD', async () => {
    expect(await c.command('L7', 'LIST (RECURSIVEMATCH) "" *')).toMatch(/^L7 BAD/m);
    expect(await c.command('L8', 'LIST (COLOURFUL) "" *')).toMatch(/^L8 BAD/m);
    expect(await c.command('L9', 'LIST "" * RETURN (MAGIC)')).toMatch(/^L9 BAD/m);
  });
});

describe('LIST-STATUS (RFC 5819) and STATUS SIZE / DELETED', () => {
  test('LIST "" "*" RETURN (STATUS (...)) sends a STATUS after each folder', async () => {
    const reply = lines(await c.command('S1', 'LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN SIZE DELETED))'));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(reply).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      `* STATUS "INBOX" (MESSAGES 3 UNSEEN 2 SIZE ${total} DELETED 1)`,
    ]);
    const all = lines(await c.command('S2', 'LIST "" "*" RETURN (STATUS (MESSAGES))'));
    expect(all.filter((l) => l.startsWith('* STATUS')).length).toBe(all.filter((l) => l.startsWith('* LIST')).length);
  });

  test('STATUS SIZE (RFC 8438) and DELETED (RFC 9051)', async () => {
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(lines(await c.command('S3', 'STATUS INBOX (SIZE DELETED MESSAGES)'))).toEqual([
      `* STATUS "INBOX" (SIZE ${total} DELETED 1 MESSAGES 3)`,
    ]);
  });
});

describe('CREATE-SPECIAL-USE (RFC 6154 §3)', () => {
  test('CREATE name (USE (\\Flagged)) makes a folder with that special use', async () => {
    expect(await c.command('U1', 'CREATE Starred (USE (\\Flagged))')).toMatch(/^U1 OK/m);
    expect(lines(await c.command('U2', 'LIST "" Starred'))).toEqual([
      '* LIST (\\HasNoChildren \\Flagged) "/" "Starred"',
    ]);
  });

  test('an unknown use is NO [USEATTR]; malformed options are BAD', async () => {
    expect(await c.command('U3', 'CREATE Odd (USE (\\Important))')).toMatch(/^U3 NO \[USEATTR\]/m);
    expect(await c.command('U4', 'CREATE Odd (USE)')).toMatch(/^U4 BAD/m);
    expect(lines(await c.command('U5', 'LIST "" Odd'))).toEqual([]);
  });
});
