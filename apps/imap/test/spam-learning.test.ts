/**
 * Spam learning per mailbox through the real IMAP server (docs/spam.md, "Learning per mailbox"): the owner sorts
 * mail with imapflow (UID MOVE into Junk, MOVE out of it, and COPY + EXPUNGE as clients without MOVE do), logs
 * out; new mail is delivered from another Mailstore on the same data dir, as the MX process delivers; the next
 * login's drain files the new spam into Junk before the client sees it, and leaves the new ham in INBOX.
 */
import { Mailstore } from '@mailyard/mailstore';
import { hamSamples, spamSamples, waitFor } from '@mailyard/testkit';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, statusOf, type TestUser } from './harness.js';

let h: Harness;
beforeAll(async () => {
  // A short grace period, so the handle closes after logout and the next login unlocks and drains afresh.
  h = await startHarness({}, { idleCloseMs: 50 });
});
afterAll(async () => h?.close());

function messageId(raw: Buffer): string {
  return /^Message-ID: (<[^>]+>)/im.exec(raw.toString())?.[1] ?? '';
}

/** APPENDs each message to `from`, then moves it to `to`: by MOVE, or by COPY + \Deleted + EXPUNGE. */
async function sortInto(client: ImapFlow, from: string, to: string, raws: Buffer[], byCopy = false): Promise<void> {
  const lock = await client.getMailboxLock(from);
  try {
    for (const raw of raws) {
      const appended = await client.append(from, raw);
      if (appended === false || !appended.uid) throw new Error(`APPEND to ${from} gave no UID`);
      const uid = String(appended.uid);
      if (!byCopy) {
        expect(await client.messageMove(uid, to, { uid: true })).toBeTruthy();
        continue;
      }
      expect(await client.messageCopy(uid, to, { uid: true })).toBeTruthy();
      expect(await client.messageDelete(uid, { uid: true })).toBe(true);
    }
  } finally {
    lock.release();
  }
}

async function messageIdsIn(client: ImapFlow, path: string): Promise<string[]> {
  const lock = await client.getMailboxLock(path);
  try {
    const ids: string[] = [];
    for await (const msg of client.fetch('1:*', { envelope: true })) ids.push(msg.envelope?.messageId ?? '');
    return ids;
  } finally {
    lock.release();
  }
}

async function loggedOut(client: ImapFlow, user: TestUser): Promise<void> {
  await client.logout();
  await waitFor(() => !h.mailstore.isOpen(user.mailboxId));
}

test('after 20 spam and 20 ham sorted by IMAP MOVE/COPY, new similar spam goes to Junk at the next login and ham does not', async () => {
  const user = await h.addUser('learner');
  const owner = await h.client(user);
  const spam = spamSamples(20, 1);
  const ham = hamSamples(20, 1);
  await sortInto(owner, 'INBOX', 'Junk', spam.slice(0, 15));
  await sortInto(owner, 'INBOX', 'Junk', spam.slice(15), true);
  await sortInto(owner, 'Junk', 'INBOX', ham.slice(0, 15));
  await sortInto(owner, 'Junk', 'INBOX', ham.slice(15), true);
  expect((await statusOf(owner, 'Junk', { messages: true })).messages).toBe(20);
  expect((await statusOf(owner, 'INBOX', { messages: true })).messages).toBe(20);
  await loggedOut(owner, user);

  const mx = new Mailstore({ dataDir: h.dataDir, kdf: { N: 1024 } });
  const newSpam = spamSamples(5, 500);
  const newHam = hamSamples(5, 500);
  try {
    for (const raw of [...newSpam, ...newHam]) await mx.deliver(user.mailboxId, raw);
  } finally {
    await mx.close();
  }

  const next = await h.client(user);
  const junk = await messageIdsIn(next, 'Junk');
  const inbox = await messageIdsIn(next, 'INBOX');
  for (const raw of newSpam) {
    expect(junk).toContain(messageId(raw));
    expect(inbox).not.toContain(messageId(raw));
  }
  for (const raw of newHam) {
    expect(inbox).toContain(messageId(raw));
    expect(junk).not.toContain(messageId(raw));
  }
  expect(junk).toHaveLength(25);
  expect(inbox).toHaveLength(25);

  // The owner disagrees with one verdict: moving it out of Junk trains it as ham.
  const misfiled = messageId(newSpam[0] as Buffer);
  const lock = await next.getMailboxLock('Junk');
  try {
    const uids = (await next.search({ header: { 'message-id': misfiled } }, { uid: true })) || [];
    expect(uids).toHaveLength(1);
    expect(await next.messageMove(String(uids[0]), 'INBOX', { uid: true })).toBeTruthy();
  } finally {
    lock.release();
  }
  await loggedOut(next, user);
  const direct = await h.mailstore.open(user.mailboxId, user.password);
  try {
    expect(direct.spamLearning()).toMatchObject({ trainedSpam: 20, trainedHam: 21, active: true });
  } finally {
    direct.close();
  }
  expect(h.codeBugs()).toEqual([]);
});

test('an IMAP APPEND into Junk trains spam, as a MOVE there does; an APPEND into INBOX trains nothing', async () => {
  const user = await h.addUser('appender');
  const owner = await h.client(user);
  for (const raw of spamSamples(3, 700)) expect(await owner.append('Junk', raw)).toBeTruthy();
  for (const raw of hamSamples(2, 700)) expect(await owner.append('INBOX', raw)).toBeTruthy();
  await loggedOut(owner, user);
  const direct = await h.mailstore.open(user.mailboxId, user.password);
  try {
    expect(direct.spamLearning()).toMatchObject({ trainedSpam: 3, trainedHam: 0 });
  } finally {
    direct.close();
  }
});

/** UIDs of the messages of `path` whose Message-ID is one of `raws`'. */
async function uidsOf(
  client: ImapFlow,
  path: string,
  raws: Buffer[],
): Promise<Map<string, { uid: number; flags: string[] }>> {
  const wanted = new Set(raws.map(messageId));
  const lock = await client.getMailboxLock(path);
  try {
    const found = new Map<string, { uid: number; flags: string[] }>();
    for await (const msg of client.fetch('1:*', { envelope: true, flags: true, uid: true })) {
      const id = msg.envelope?.messageId ?? '';
      if (wanted.has(id)) found.set(id, { uid: msg.uid, flags: [...(msg.flags ?? [])] });
    }
    return found;
  } finally {
    lock.release();
  }
}

async function learnedBy(user: TestUser) {
  const direct = await h.mailstore.open(user.mailboxId, user.password);
  try {
    return direct.spamLearning();
  } finally {
    direct.close();
  }
}

test('STORE +FLAGS $Junk trains spam and $NotJunk ham (RFC 5788 keywords), idempotent and corrected; the drain marks what it files $Junk', async () => {
  const user = await h.addUser('marker');
  const owner = await h.client(user);
  const spam = spamSamples(10, 40);
  const ham = hamSamples(10, 40);
  for (const raw of [...spam, ...ham]) expect(await owner.append('INBOX', raw)).toBeTruthy();
  const inbox = await uidsOf(owner, 'INBOX', [...spam, ...ham]);
  const uidOf = (raw: Buffer) => String(inbox.get(messageId(raw))?.uid);
  let lock = await owner.getMailboxLock('INBOX');
  try {
    // Marked where they are, as Thunderbird's junk button does without a move; the spam twice (a repeat teaches
    // nothing), and one ham first marked $Junk by mistake, then corrected as clients do: -$Junk +$NotJunk.
    for (const raw of spam) expect(await owner.messageFlagsAdd(uidOf(raw), ['$Junk'], { uid: true })).toBe(true);
    for (const raw of spam) expect(await owner.messageFlagsAdd(uidOf(raw), ['$Junk'], { uid: true })).toBe(true);
    const mistaken = uidOf(ham[0] as Buffer);
    expect(await owner.messageFlagsAdd(mistaken, ['$Junk'], { uid: true })).toBe(true);
    expect(await owner.messageFlagsRemove(mistaken, ['$Junk'], { uid: true })).toBe(true);
    for (const raw of ham) expect(await owner.messageFlagsAdd(uidOf(raw), ['$NotJunk'], { uid: true })).toBe(true);
  } finally {
    lock.release();
  }
  await loggedOut(owner, user);
  expect(await learnedBy(user)).toMatchObject({ trainedSpam: 10, trainedHam: 10, active: true });

  const mx = new Mailstore({ dataDir: h.dataDir, kdf: { N: 1024 } });
  const newSpam = spamSamples(3, 800);
  const newHam = hamSamples(3, 800);
  try {
    for (const raw of [...newSpam, ...newHam]) await mx.deliver(user.mailboxId, raw);
  } finally {
    await mx.close();
  }
  const next = await h.client(user);
  const filed = await uidsOf(next, 'Junk', newSpam);
  expect(filed.size).toBe(3);
  for (const { flags } of filed.values()) expect(flags).toContain('$Junk');
  const kept = await uidsOf(next, 'INBOX', newHam);
  expect(kept.size).toBe(3);
  for (const { flags } of kept.values()) expect(flags).not.toContain('$Junk');
  // The drain's $Junk is no training; the owner's $NotJunk on a filed message is.
  lock = await next.getMailboxLock('Junk');
  try {
    const [first] = [...filed.values()];
    expect(await next.messageFlagsAdd(String(first?.uid), ['$NotJunk'], { uid: true })).toBe(true);
  } finally {
    lock.release();
  }
  await loggedOut(next, user);
  expect(await learnedBy(user)).toMatchObject({ trainedSpam: 10, trainedHam: 11 });
  expect(h.codeBugs()).toEqual([]);
});
