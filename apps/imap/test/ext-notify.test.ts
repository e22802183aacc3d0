/**
 * NOTIFY (RFC 5465) on the wire, a second connection making the changes: STATUS for other folders (the imaptest
 * notify group's initial STATUS, then MessageNew/MessageExpunge/FlagChange as they happen, without a command),
 * LIST for MailboxName and SubscriptionChange, the selected folder under SELECTED (EXISTS, FETCH with
 * MessageNew's fetch-att, EXPUNGE between commands) and SELECTED-DELAYED (EXPUNGE held for NOOP), the filters,
 * NOTIFY NONE, IDLE, NO [BADEVENT], the BAD rules and NOTIFICATIONOVERFLOW.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { appendWire } from './imaptest/fixture.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
const open: WireClient[] = [];

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('notify');
});
afterAll(async () => {
  for (const wire of open) wire.close();
  await h?.close();
});

async function session(harness = h, who = user): Promise<WireClient> {
  const wire = await loginWire(harness.port, who.address, who.password);
  open.push(wire);
  return wire;
}

function untagged(reply: string): string[] {
  return reply.split('\r\n').filter((l) => l.startsWith('* '));
}

/** Waits for the next untagged line matching `pattern` that arrives without a command. */
async function unsolicited(wire: WireClient, pattern: RegExp): Promise<string[]> {
  return untagged(await wire.readUntil(pattern));
}

test('NOTIFY is advertised', async () => {
  const wire = await session();
  expect(await wire.command('C1', 'CAPABILITY')).toMatch(/ NOTIFY[ \r]/);
});

describe('imaptest notify group: initial STATUS', () => {
  test('NOTIFY SET STATUS answers STATUS now; with FlagChange HIGHESTMODSEQ too; without STATUS nothing', async () => {
    const wire = await session();
    expect(await wire.command('C1', 'CREATE box2')).toMatch(/^C1 OK/m);
    expect(await appendWire(wire, 'A1', 'box2', message('one'))).toMatch(/^A1 OK/m);
    const plain = untagged(await wire.command('N1', 'NOTIFY SET STATUS (MAILBOXES box2 (MessageNew MessageExpunge))'));
    expect(plain).toEqual([expect.stringMatching(/^\* STATUS "box2" \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)$/)]);
    const flags = untagged(
      await wire.command('N2', 'NOTIFY SET STATUS (MAILBOXES box2 (MessageNew MessageExpunge FlagChange))'),
    );
    expect(flags).toEqual([
      expect.stringMatching(/^\* STATUS "box2" \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+ HIGHESTMODSEQ \d+\)$/),
    ]);
    expect(
      untagged(await wire.command('N3', 'NOTIFY SET (MAILBOXES box2 (MessageNew MessageExpunge FlagChange))')),
    ).toEqual([]);
  });
});

describe('other folders', () => {
  let watcher: WireClient;
  let other: WireClient;

  beforeAll(async () => {
    watcher = await session();
    other = await session();
    expect(await other.command('C1', 'CREATE Watched')).toMatch(/^C1 OK/m);
    expect(
      await watcher.command(
        'N1',
        'NOTIFY SET (PERSONAL (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))',
      ),
    ).toMatch(/^N1 OK/m);
  });

  test('MessageNew, FlagChange and MessageExpunge arrive as STATUS between commands', async () => {
    expect(await appendWire(other, 'A1', 'Watched', message('new'))).toMatch(/^A1 OK/m);
    const added = await unsolicited(watcher, /^\* STATUS "Watched"/);
    expect(added.at(-1)).toMatch(/^\* STATUS "Watched" \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+ HIGHESTMODSEQ \d+\)$/);
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(added.at(-1) ?? '')?.[1]);
    expect(await other.command('S1', 'SELECT Watched')).toMatch(/^S1 OK/m);
    await other.command('F1', 'STORE 1 +FLAGS.SILENT (\\Flagged)');
    const flagged = await unsolicited(watcher, /^\* STATUS "Watched"/);
    const after = Number(/HIGHESTMODSEQ (\d+)/.exec(flagged.at(-1) ?? '')?.[1]);
    expect(flagged.at(-1)).toMatch(/MESSAGES 1 UIDNEXT 2 /);
    expect(after).toBeGreaterThan(modseq);
    await other.command('F2', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await watcher.readUntil(/^\* STATUS "Watched"/);
    await other.command('E1', 'EXPUNGE');
    expect((await unsolicited(watcher, /^\* STATUS "Watched"/)).at(-1)).toMatch(/\(MESSAGES 0 UIDNEXT 2 /);
    await other.command('U1', 'UNSELECT');
  });

  test('MailboxName: LIST for CREATE, RENAME (OLDNAME) and DELETE', async () => {
    await other.command('C2', 'CREATE Fresh');
    expect(await unsolicited(watcher, /^\* LIST .*"Fresh"$/)).toContain('* LIST () "/" "Fresh"');
    await other.command('R1', 'RENAME Fresh Renamed');
    expect(await unsolicited(watcher, /^\* LIST .*"Renamed"/)).toContain(
      '* LIST () "/" "Renamed" ("OLDNAME" ("Fresh"))',
    );
    await other.command('D1', 'DELETE Renamed');
    expect(await unsolicited(watcher, /^\* LIST .*"Renamed"$/)).toContain('* LIST (\\NonExistent) "/" "Renamed"');
  });

  test('SubscriptionChange: LIST with and without \\Subscribed', async () => {
    await other.command('U1', 'UNSUBSCRIBE Watched');
    expect(await unsolicited(watcher, /^\* LIST .*"Watched"$/)).toContain('* LIST () "/" "Watched"');
    await other.command('S1', 'SUBSCRIBE Watched');
    expect(await unsolicited(watcher, /^\* LIST .*"Watched"$/)).toContain('* LIST (\\Subscribed) "/" "Watched"');
  });

  test('SubscriptionChange alone: a deleted folder name leaving the subscriptions is LIST (\\NonExistent)', async () => {
    const quiet = await session();
    await other.command('C4', 'CREATE Doomed');
    expect(await quiet.command('N1', 'NOTIFY SET (PERSONAL (SubscriptionChange))')).toMatch(/^N1 OK/m);
    // DELETE keeps the name subscribed: no subscription changed, nothing to tell
    await other.command('D2', 'DELETE Doomed');
    await other.command('U2', 'UNSUBSCRIBE Doomed');
    expect(await unsolicited(quiet, /^\* LIST .*"Doomed"$/)).toEqual(['* LIST (\\NonExistent) "/" "Doomed"']);
    expect(untagged(await quiet.command('N2', 'NOOP'))).toEqual([]);
  });

  test('during IDLE the STATUS comes too', async () => {
    watcher.send('I1 IDLE\r\n');
    await watcher.readUntil(/^\+ /);
    expect(await appendWire(other, 'A2', 'Watched', message('idle'))).toMatch(/^A2 OK/m);
    expect((await unsolicited(watcher, /^\* STATUS "Watched"/)).at(-1)).toMatch(/\(MESSAGES 1 UIDNEXT 3 /);
    watcher.send('DONE\r\n');
    await watcher.readUntil(/^I1 OK/);
  });

  test('NOTIFY NONE stops it', async () => {
    expect(await watcher.command('N2', 'NOTIFY NONE')).toMatch(/^N2 OK/m);
    expect(await appendWire(other, 'A3', 'Watched', message('quiet'))).toMatch(/^A3 OK/m);
    await other.command('C3', 'CREATE Unheard');
    expect(untagged(await watcher.command('N3', 'NOOP'))).toEqual([]);
  });
});

describe('filters', () => {
  test('INBOXES, MAILBOXES and SUBTREE watch only their folders; NONE silences a group', async () => {
    const watcher = await session();
    const other = await session();
    for (const name of ['Tree', 'Tree/Leaf', 'Solo', 'Elsewhere', 'Muted']) await other.command('C', `CREATE ${name}`);
    expect(
      await watcher.command(
        'N1',
        'NOTIFY SET (INBOXES (MessageNew MessageExpunge)) (MAILBOXES Solo (MessageNew MessageExpunge)) (SUBTREE Tree (MessageNew MessageExpunge)) (MAILBOXES Muted NONE)',
      ),
    ).toMatch(/^N1 OK/m);
    for (const folder of ['Elsewhere', 'Muted', 'Tree/Leaf']) {
      expect(await appendWire(other, 'A', folder, message(folder))).toMatch(/^A OK/m);
    }
    // Elsewhere and Muted say nothing: the first STATUS is Tree/Leaf's
    expect(await unsolicited(watcher, /^\* STATUS/)).toEqual([expect.stringMatching(/^\* STATUS "Tree\/Leaf" /)]);
    expect(await appendWire(other, 'B', 'Solo', message('solo'))).toMatch(/^B OK/m);
    expect(await unsolicited(watcher, /^\* STATUS/)).toEqual([expect.stringMatching(/^\* STATUS "Solo" /)]);
    expect(await appendWire(other, 'C', 'INBOX', message('inbox'))).toMatch(/^C OK/m);
    expect(await unsolicited(watcher, /^\* STATUS/)).toEqual([expect.stringMatching(/^\* STATUS "INBOX" /)]);
  });
});

describe('the selected folder', () => {
  test('SELECTED: EXISTS with the fetch-att, FETCH FLAGS and EXPUNGE arrive without a command', async () => {
    const watcher = await session();
    const other = await session();
    await other.command('C', 'CREATE Live');
    expect(await appendWire(other, 'A0', 'Live', message('first'))).toMatch(/^A0 OK/m);
    await watcher.command('S1', 'SELECT Live');
    expect(
      await watcher.command('N1', 'NOTIFY SET (SELECTED (MessageNew (UID FLAGS) MessageExpunge FlagChange))'),
    ).toMatch(/^N1 OK/m);
    expect(await appendWire(other, 'A1', 'Live', message('second'))).toMatch(/^A1 OK/m);
    const arrived = await unsolicited(watcher, /^\* 2 FETCH/);
    expect(arrived[0]).toBe('* 2 EXISTS');
    expect(arrived.at(-1)).toMatch(/^\* 2 FETCH \(UID 2 FLAGS \([^)]*\)\)$/);
    await other.command('S2', 'SELECT Live');
    await other.command('F1', 'STORE 1 +FLAGS.SILENT (\\Flagged)');
    expect((await unsolicited(watcher, /^\* 1 FETCH/)).at(-1)).toMatch(
      /^\* 1 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\)\)$/,
    );
    await other.command('F2', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await watcher.readUntil(/^\* 1 FETCH/);
    await other.command('E1', 'EXPUNGE');
    expect(await unsolicited(watcher, /^\* 1 EXPUNGE$/)).toContain('* 1 EXPUNGE');
    // and no STATUS for the selected folder
    expect(untagged(await watcher.command('N2', 'NOOP'))).toEqual([]);
  });

  test('SELECTED-DELAYED: EXISTS at once, the EXPUNGE only with the next NOOP', async () => {
    const watcher = await session();
    const other = await session();
    await other.command('C', 'CREATE Delayed');
    for (const s of ['a', 'b']) expect(await appendWire(other, 'A', 'Delayed', message(s))).toMatch(/^A OK/m);
    await watcher.command('S1', 'SELECT Delayed');
    expect(await watcher.command('N1', 'NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge))')).toMatch(/^N1 OK/m);
    await other.command('S2', 'SELECT Delayed');
    await other.command('F1', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await other.command('E1', 'EXPUNGE');
    expect(await appendWire(other, 'A3', 'Delayed', message('c'))).toMatch(/^A3 OK/m);
    // the arrival is pushed; the expunged message keeps its number until a command may move it
    expect(await unsolicited(watcher, /^\* 3 EXISTS$/)).not.toContain('* 1 EXPUNGE');
    // FETCH may not carry EXPUNGE: message 2 is still number 2
    const fetched = untagged(await watcher.command('F2', 'FETCH 2:3 (UID)')).filter((l) => !/RECENT$/.test(l));
    expect(fetched).toEqual(['* 2 FETCH (UID 2)', '* 3 FETCH (UID 3)']);
    expect(untagged(await watcher.command('N2', 'NOOP'))).toContain('* 1 EXPUNGE');
  });
});

describe('refusals', () => {
  let wire: WireClient;
  beforeAll(async () => {
    wire = await session();
  });

  test('unsupported events are NO [BADEVENT] with the events we offer', async () => {
    for (const event of ['AnnotationChange', 'MailboxMetadataChange', 'ServerMetadataChange', 'SomethingElse']) {
      expect(await wire.command('B1', `NOTIFY SET (PERSONAL (${event}))`)).toMatch(
        /^B1 NO \[BADEVENT \(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange\)\]/m,
      );
    }
  });

  test.each([
    'NOTIFY SET (SELECTED (MessageNew))',
    'NOTIFY SET (PERSONAL (MessageExpunge))',
    'NOTIFY SET (PERSONAL (FlagChange))',
    'NOTIFY SET (PERSONAL (MessageNew (UID) MessageExpunge))',
    'NOTIFY SET (SELECTED (MailboxName))',
    'NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (SELECTED-DELAYED (MessageNew MessageExpunge))',
    'NOTIFY SET (SELECTED (MessageNew (BODY[]) MessageExpunge))',
    'NOTIFY SET (EVERYWHERE (MessageNew MessageExpunge))',
    'NOTIFY SET (MAILBOXES (MessageNew MessageExpunge))',
    'NOTIFY SET (PERSONAL ())',
    'NOTIFY SET',
    'NOTIFY SOMETIMES',
    'NOTIFY NONE EXTRA',
  ])('%s is BAD', async (command) => {
    expect(await wire.command('B2', command)).toMatch(/^B2 BAD/m);
  });

  test('a NOTIFY that fails leaves the one in force', async () => {
    const other = await session();
    await other.command('C', 'CREATE Kept');
    expect(await wire.command('K1', 'NOTIFY SET (MAILBOXES Kept (MessageNew MessageExpunge))')).toMatch(/^K1 OK/m);
    expect(await wire.command('K2', 'NOTIFY SET (PERSONAL (AnnotationChange))')).toMatch(/^K2 NO/m);
    expect(await appendWire(other, 'A', 'Kept', message('kept'))).toMatch(/^A OK/m);
    expect(await unsolicited(wire, /^\* STATUS "Kept"/)).toHaveLength(1);
  });
});

describe('NOTIFICATIONOVERFLOW', () => {
  let small: Harness;
  let who: TestUser;
  beforeAll(async () => {
    small = await startHarness({}, { protocol: { maxPendingNotifications: 1 } });
    who = await small.addUser('overflow');
  });
  afterAll(async () => small?.close());

  test('more changes waiting than allowed: OK [NOTIFICATIONOVERFLOW], then NOTIFY is off', async () => {
    const watcher = await session(small, who);
    const other = await session(small, who);
    await other.command('C1', 'CREATE From');
    await other.command('C2', 'CREATE To');
    expect(await appendWire(other, 'A', 'From', message('moving'))).toMatch(/^A OK/m);
    expect(await watcher.command('N1', 'NOTIFY SET (PERSONAL (MessageNew MessageExpunge))')).toMatch(/^N1 OK/m);
    // one change at a time is told
    expect(await appendWire(other, 'B', 'To', message('one'))).toMatch(/^B OK/m);
    expect(await unsolicited(watcher, /^\* STATUS "To"/)).toHaveLength(1);
    // a MOVE changes two folders at once: two waiting, one allowed
    await other.command('S1', 'SELECT From');
    expect(await other.command('M1', 'MOVE 1 To')).toMatch(/^M1 OK/m);
    expect(await unsolicited(watcher, /NOTIFICATIONOVERFLOW/)).toEqual([
      expect.stringMatching(/^\* OK \[NOTIFICATIONOVERFLOW\] /),
    ]);
    expect(await appendWire(other, 'C', 'To', message('after'))).toMatch(/^C OK/m);
    expect(untagged(await watcher.command('N2', 'NOOP'))).toEqual([]);
  });
});
