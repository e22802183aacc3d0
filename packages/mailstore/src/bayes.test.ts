import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusMessages, hamSamples, spamSamples, waitFor } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { likelySpam, MAX_TOKEN_ROWS, pruneTokens, spamProbability, TokenCache, train } from './bayes.js';
import { messageTokens, TOKENS_PER_MESSAGE, tokenId } from './bayes-tokens.js';
import { createDefaultFolders, requireFolder } from './folders.js';
import { indexAllPending } from './fts.js';
import { commitMessage, prepareMessage } from './ingest.js';
import { openDatabase } from './schema.js';
import type { MailboxSession } from './types.js';

const DAY = 86_400_000;
let t: TestStore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Appends each message to `from` and moves it to `to`, as a user sorting mail by hand. */
async function sortInto(s: MailboxSession, from: string, to: string, raws: Buffer[]): Promise<void> {
  for (const raw of raws) {
    const { uid } = await s.append(from, raw);
    s.move(from, [uid], to);
  }
}

/** Trains 20 spam (INBOX -> Junk) and 20 ham (Junk -> INBOX, the user's corrections). */
async function trainMailbox(s: MailboxSession): Promise<void> {
  await sortInto(s, 'INBOX', 'Junk', spamSamples(20, 1));
  await sortInto(s, 'Junk', 'INBOX', hamSamples(20, 1));
}

async function drainFresh(store: TestStore, mailbox: string): Promise<MailboxSession> {
  await waitFor(() => !store.store.isOpen(mailbox));
  return store.store.open(mailbox, 'pw');
}

describe('learning from moves', () => {
  test('a move into Junk trains spam, a move out trains ham and takes the spam training back; repeats change nothing', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    const [spam] = spamSamples(1, 7) as [Buffer];
    const { uid } = await s.append('INBOX', spam);
    const [junkUid] = s.move('INBOX', [uid], 'Junk').destUids as [number];
    const afterSpam = s.spamLearning();
    expect(afterSpam).toMatchObject({ trainedSpam: 1, trainedHam: 0, active: false });
    expect(afterSpam.tokens).toBeGreaterThan(20);

    const [copyUid] = s.copy('Junk', [junkUid], 'Archive').destUids as [number]; // out of Junk: ham
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 0, trainedHam: 1, tokens: afterSpam.tokens });
    s.copy('Archive', [copyUid], 'Junk'); // back in: spam again, the ham training taken back
    s.copy('INBOX', [], 'Junk');
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 1, trainedHam: 0, tokens: afterSpam.tokens });
    s.copy('Archive', [copyUid], 'Junk'); // the same message again: nothing new
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 1, trainedHam: 0 });
    s.move('Junk', [junkUid], 'Trash'); // deleting spam teaches nothing
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 1, trainedHam: 0 });
    s.close();
  });

  test('an APPEND or MULTIAPPEND into Junk trains spam, as a move there does; elsewhere, or with learning off, nothing', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    const [one, two, three] = spamSamples(3, 3) as [Buffer, Buffer, Buffer];
    const { uid } = await s.append('Junk', one);
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 1, trainedHam: 0 });
    expect(s.spamLearning().tokens).toBeGreaterThan(0);
    await s.append('INBOX', (hamSamples(1, 3) as [Buffer])[0]);
    await s.append('Archive', two);
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 1, trainedHam: 0 });
    await s.appendMany('Junk', [{ raw: two }, { raw: three }]);
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 3, trainedHam: 0 });
    s.move('Junk', [uid], 'INBOX'); // the user's correction takes the spam training back
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 2, trainedHam: 1 });
    s.close();

    const off = t.another({ spamLearning: { enabled: false } });
    await waitFor(() => !t?.store.isOpen('m'));
    const s2 = await off.open('m', 'pw');
    await s2.append('Junk', (spamSamples(1, 4) as [Buffer])[0]);
    expect(s2.spamLearning()).toMatchObject({ trainedSpam: 2, trainedHam: 1 });
    s2.close();
  });

  test('moves between other folders train nothing, and learning switched off trains nothing', async () => {
    t = await testStore({ spamLearning: { enabled: false } });
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await sortInto(s, 'INBOX', 'Junk', spamSamples(3));
    expect(s.spamLearning()).toMatchObject({ enabled: false, trainedSpam: 0, trainedHam: 0, tokens: 0, active: false });
    s.close();

    const on = t.another({ spamLearning: { enabled: true } });
    await waitFor(() => !t?.store.isOpen('m'));
    const s2 = await on.open('m', 'pw');
    await sortInto(s2, 'INBOX', 'Archive', hamSamples(3));
    await sortInto(s2, 'Trash', 'INBOX', hamSamples(3, 2));
    expect(s2.spamLearning().tokens).toBe(0);
    s2.close();
  });
});

describe('filing at drain', () => {
  test('after 20 spam and 20 ham, a new similar spam goes to Junk on the next drain and a new ham stays in INBOX', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await trainMailbox(s);
    expect(s.spamLearning()).toMatchObject({ trainedSpam: 20, trainedHam: 20, active: true });
    s.close();

    // 40 messages: one drain transaction, their tokens looked up in one query.
    const newSpam = spamSamples(20, 1000);
    const newHam = hamSamples(20, 1000);
    for (const raw of [...newSpam, ...newHam]) await t.store.deliver('m', raw);
    const next = await drainFresh(t, 'm');
    const junk = rawsIn(next, 'Junk');
    const inbox = rawsIn(next, 'INBOX');
    expect(junk).toHaveLength(20 + 20);
    expect(inbox).toHaveLength(20 + 20);
    for (const raw of newSpam) expect(junk).toContain(raw.toString());
    for (const raw of newHam) expect(inbox).toContain(raw.toString());
    // Filing is no training: the counts stay those of the owner's moves.
    expect(next.spamLearning()).toMatchObject({ trainedSpam: 20, trainedHam: 20 });
    next.close();
  });

  test('with fewer than the minimum trained per class, nothing is filed', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await sortInto(s, 'INBOX', 'Junk', spamSamples(20));
    await sortInto(s, 'Junk', 'INBOX', hamSamples(9));
    expect(s.spamLearning().active).toBe(false);
    s.close();
    await t.store.deliver('m', spamSamples(1, 500)[0] as Buffer);
    const next = await drainFresh(t, 'm');
    expect(next.listMessages('Junk')).toHaveLength(20);
    expect(next.listMessages('INBOX')).toHaveLength(9 + 1);
    next.close();
  });

  test('an entry that names a folder keeps it; learning off or a higher threshold keeps spam in INBOX', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await trainMailbox(s);
    await s.createFolder('Lists');
    s.close();
    const [a, b, c] = spamSamples(3, 2000) as [Buffer, Buffer, Buffer];
    await t.store.deliver('m', a, { folder: 'Lists' });
    await t.store.deliver('m', b, { folder: 'Gone' }); // missing, no create: INBOX, the decision still kept
    await t.store.deliver('m', c, { folder: 'inbox' }); // INBOX named: the classifier may file it
    const next = await drainFresh(t, 'm');
    expect(next.listMessages('Lists')).toHaveLength(1);
    expect(next.listMessages('INBOX')).toHaveLength(20 + 1);
    expect(next.listMessages('Junk')).toHaveLength(20 + 1);
    next.close();

    for (const opts of [{ enabled: false }, { threshold: 1.01 }]) {
      const other = t.another({ spamLearning: opts });
      await waitFor(() => !t?.store.isOpen('m'));
      await other.deliver('m', spamSamples(1, 3000)[0] as Buffer);
      const again = await other.open('m', 'pw');
      expect(again.listMessages('Junk')).toHaveLength(21);
      again.close();
      await other.close();
    }
  });

  test('spam filed into Junk is expunged by Junk retention like any Junk mail', async () => {
    t = await testStore({ retentionDays: 30 });
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await trainMailbox(s);
    s.close();
    const [old, recent] = spamSamples(2, 4000) as [Buffer, Buffer];
    await t.store.deliver('m', old, { internalDate: new Date(Date.now() - 31 * DAY) });
    await t.store.deliver('m', recent);
    const next = await drainFresh(t, 'm');
    const junk = rawsIn(next, 'Junk');
    expect(junk).toHaveLength(20 + 1); // the 20 trained ones arrived now
    expect(junk).toContain(recent.toString());
    expect(junk).not.toContain(old.toString());
    expect(next.changesSince('Junk', 0).filter((c) => c.kind === 'expunged')).toHaveLength(20 + 1); // 20 ham moved out
    next.close();
  });

  test('real mail from the shared corpus is not filed as spam by a mailbox trained on the samples', async () => {
    const files = corpusMessages();
    if (files.length === 0) return;
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    await trainMailbox(s);
    s.close();
    for (const file of files) await t.store.deliver('m', readFileSync(file));
    const next = await drainFresh(t, 'm');
    const filed = next.listMessages('Junk').length - 20;
    // The corpus is parser test mail with a few real spam samples among it (4 of 206 go to Junk, one of them
    // plainly spam); almost all of it must stay in INBOX.
    expect(filed / files.length).toBeLessThan(0.05);
    next.close();
  });
});

test('tokens: bounded per message, subject and sender words apart from body words', () => {
  const long = Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ');
  expect(messageTokens({ subject: '', from: '', body: long })).toHaveLength(TOKENS_PER_MESSAGE);
  const [subjectFree] = messageTokens({ subject: 'free', from: '', body: '' });
  const [bodyFree] = messageTokens({ subject: '', from: '', body: 'Free!' });
  expect(subjectFree).not.toBe(bodyFree);
  expect(messageTokens({ subject: '', from: '', body: '12345678901 x' })).toEqual([]);
  const domain = messageTokens({ subject: '', from: 'A <a@spam.example>', body: '' });
  expect(domain.length).toBe(2); // "a@spam.example" is one word, plus its domain ("a" is too short)
});

/** The messages of a folder as text, to find a delivered one among similar ones by its exact bytes. */
function rawsIn(s: MailboxSession, path: string): string[] {
  return s.listMessages(path).map((m) => s.getRaw(path, m.uid)?.toString() ?? '');
}

test('the token cache finds every stored token with its counts, marks the others absent; it scores as SQLite alone does', async () => {
  t = await testStore();
  const db = openDatabase(join(t.dir, 'table.db'), randomBytes(32));
  try {
    createDefaultFolders(db);
    const inbox = requireFolder(db, 'INBOX');
    const raws = [...spamSamples(30, 9), ...hamSamples(30, 9)];
    for (const raw of raws) commitMessage(db, await prepareMessage(raw), { folderId: inbox.id, quotaBytes: 1e12 });
    db.transaction(() => {
      for (let id = 1; id <= raws.length; id++) train(db, id, id <= 30 ? 'spam' : 'ham');
    })();
    const rows = db.prepare('SELECT token, spam, ham FROM bayes_tokens').raw(true).all() as number[][];
    expect(rows.length).toBeGreaterThan(100);
    const absent = ['zzzunseen', 'qqqneverseen', 'xxxabsent'].map(tokenId);
    const table = new TokenCache(0);
    table.fetch(db, [rows.map((r) => r[0] as number), null, absent]);
    for (const [token, spam, ham] of rows) {
      const at = table.indexOf(token as number) as number;
      expect([table.spamAt(at), table.hamAt(at)]).toEqual([spam, ham]);
    }
    // A drain chunk: the tokens of all its messages fetched at once into one cache, then each message scored from
    // it, gives what looking up each message alone in the database gives.
    const counts = { spam: 30, ham: 30 };
    const sources = [];
    for (const raw of [...spamSamples(5, 77), ...hamSamples(5, 77)]) {
      const { index } = await prepareMessage(raw);
      sources.push({ subject: index.subject, from: index.from, body: index.text });
    }
    const filter = { junk: inbox, counts, cache: new TokenCache(0), db, threshold: 0.9 };
    const verdicts = likelySpam(filter, [...sources, null]);
    expect(verdicts).toEqual([...sources.map((source) => spamProbability(db, source, counts) >= 0.9), false]);
    expect(verdicts.slice(0, 5)).toEqual([true, true, true, true, true]);
    expect(verdicts.slice(5, 10)).toEqual([false, false, false, false, false]);
    const stored = new Set(rows.map((r) => r[0]));
    for (const id of absent) if (!stored.has(id)) expect(table.indexOf(id)).toBe(-1);
    expect(table.indexOf(tokenId('never fetched'))).toBe(-3);
  } finally {
    db.close();
  }
});

test('training reads the same tokens whether the text is still queued, already indexed, or kept whole beside a capped index', async () => {
  t = await testStore();
  const db = openDatabase(join(t.dir, 'paths.db'), randomBytes(32));
  try {
    createDefaultFolders(db);
    const inbox = requireFolder(db, 'INBOX');
    const long = `${'Filler header text. '.repeat(2000)}`;
    for (const raw of [
      spamSamples(1, 3)[0] as Buffer,
      textMessage({ headers: `X-Long: ${long}`, body: 'cheap pills' }),
    ]) {
      const ingest = async () => commitMessage(db, await prepareMessage(raw), { folderId: inbox.id, quotaBytes: 1e12 });
      const first = await ingest();
      indexAllPending(db); // the first copy's text is now in the index (and fts_overflow when capped)
      const second = await ingest(); // the second's still waits in fts_pending
      db.exec('DELETE FROM bayes_tokens');
      const contentOf = (uid: number | undefined) =>
        db.prepare('SELECT content_id FROM messages WHERE folder_id = ? AND uid = ?').pluck().get(inbox.id, uid);
      db.transaction(() => {
        train(db, contentOf(first?.uid) as number, 'spam');
        train(db, contentOf(second?.uid) as number, 'spam');
      })();
      const counts = db.prepare('SELECT DISTINCT spam FROM bayes_tokens').pluck().all();
      expect(counts).toEqual([2]);
    }
    expect(db.prepare('SELECT spam FROM bayes_tokens WHERE token = ?').pluck().get(tokenId('pills'))).toBe(2);
    // The long one's body lies past the capped prefix (queued or indexed): both copies' bodies came from fts_overflow.
    expect(db.prepare('SELECT count(*) FROM fts_overflow WHERE body IS NOT NULL').pluck().get()).toBe(2);
  } finally {
    db.close();
  }
});

test('the token table is cut back to its cap once past it, the rarest and then the stalest tokens first', async () => {
  t = await testStore();
  const db = openDatabase(join(t.dir, 'prune.db'), randomBytes(32));
  try {
    // Tokens 1..115000: every third was seen once (spam + ham = 1), the others twice or three times.
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 115000)
      INSERT INTO bayes_tokens (token, spam, ham, seen) SELECT i, i % 3, 1, i FROM n`);
    expect(pruneTokens(db)).toBe(115_000 - MAX_TOKEN_ROWS);
    expect(db.prepare('SELECT count(*) FROM bayes_tokens').pluck().get()).toBe(MAX_TOKEN_ROWS);
    // The 15,000 removed were the once-seen ones trained longest ago: tokens 3, 6, ... 45000.
    expect(db.prepare('SELECT min(token) FROM bayes_tokens WHERE spam + ham = 1').pluck().get()).toBe(45_003);
    expect(db.prepare('SELECT count(*) FROM bayes_tokens WHERE spam + ham > 1').pluck().get()).toBe(76_667);
    expect(pruneTokens(db)).toBe(0); // at the cap: nothing until it grows past the slack again
  } finally {
    db.close();
  }
});
