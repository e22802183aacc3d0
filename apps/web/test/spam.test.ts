/**
 * The dashboard's spam filter page of a domain, through real HTTP with a logged-in session and CSRF tokens:
 * change thresholds, greylisting and the sender lists; see the settings on each alias page; bad input is a 400
 * page naming the problem, with the typed values kept and nothing changed.
 */
import { issueMailboxPassword } from '@mailyard/control';
import { hamSamples, spamSamples } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('spam filter settings in the dashboard', () => {
  let h: Harness;
  let owner: WebClient;
  let other: WebClient;
  const path = '/domains/spam.example/spam';

  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } } });
    owner = await new WebClient(h.base).signUp('owner@spam.example');
    other = await new WebClient(h.base).signUp('other@else.example');
    expect((await owner.post('/domains', { name: 'spam.example' })).status).toBe(303);
    const aliasForm = { name: 'alice', has_imap: 'on', is_enabled: 'on' };
    expect((await owner.post('/domains/spam.example/aliases', aliasForm)).status).toBe(303);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the domain page links to the spam page; saving stores the settings; the alias page shows them', async () => {
    expect((await owner.get('/domains/spam.example')).text).toContain(`href="${path}"`);
    const empty = await owner.get(path);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('server default (5)');
    const saved = await owner.post(path, {
      junk_score: '4.5',
      reject_score: '',
      greylisting: 'on',
      allow: 'partner.example\nFriend@Elsewhere.example',
      block: 'spammer.example',
    });
    expect(saved.status).toBe(303);
    const domain = await h.control.findDomainByName('spam.example');
    expect(await h.control.getSpamSettings(domain?.id ?? '')).toEqual({
      junkScore: 4.5,
      rejectScore: null,
      greylisting: true,
      allow: ['friend@elsewhere.example', 'partner.example'],
      block: ['spammer.example'],
    });
    const alias = await owner.get('/domains/spam.example/aliases/alice');
    expect(alias.text).toContain('<dt>Junk folder from score</dt><dd>4.5</dd>');
    expect(alias.text).toContain('<dt>Refused from score</dt><dd>15</dd>');
    expect(alias.text).toContain('<dt>Greylisting</dt><dd>on</dd>');
    expect(alias.text).toContain('friend@elsewhere.example, partner.example');
    expect(alias.text).toContain(`href="${path}"`);
  });

  test('bad input is a 400 page with the reason and the typed values; nothing changes', async () => {
    const domain = await h.control.findDomainByName('spam.example');
    const before = await h.control.getSpamSettings(domain?.id ?? '');
    const notNumber = await owner.post(path, { junk_score: 'lots', allow: 'a.example' });
    expect(notNumber.status).toBe(400);
    expect(notNumber.text).toContain('The Junk threshold must be a number, or empty.');
    expect(notNumber.text).toContain('value="lots"');
    const order = await owner.post(path, { junk_score: '9', reject_score: '8' });
    expect(order.status).toBe(400);
    expect(order.text).toContain('rejectScore must be higher than junkScore');
    const entry = await owner.post(path, { block: 'not an entry' });
    expect(entry.status).toBe(400);
    expect(entry.text).toContain('neither an address nor a domain');
    expect(entry.text).toContain('>not an entry</textarea>');
    expect(await h.control.getSpamSettings(domain?.id ?? '')).toEqual(before);
  });

  test("another account cannot see or change the domain's settings", async () => {
    expect((await other.get(path)).status).toBe(404);
    expect((await other.post(path, { greylisting: 'on' })).status).toBe(404);
  });
});

/**
 * An alias's own spam classifier on the dashboard, over real HTTP: the alias page links to it; the page asks for
 * the mailbox password; with it, it shows what the mailbox learnt (the owner's moves into and out of Junk, made
 * through the real mail store), and forgets all of it; a wrong or missing password is refused and nothing changes;
 * another account gets 404.
 */
describe("an alias's spam classifier in the dashboard", () => {
  let h: Harness;
  let owner: WebClient;
  let other: WebClient;
  const PASSWORD = 'classifier mailbox password';
  const path = '/domains/learn.example/aliases/bob/spam-classifier';
  let mailboxId = '';

  const learned = async () => {
    const session = await h.mailstore.open(mailboxId, PASSWORD);
    try {
      return session.spamLearning();
    } finally {
      session.close();
    }
  };

  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } } });
    owner = await new WebClient(h.base).signUp('owner@learn.example');
    other = await new WebClient(h.base).signUp('other@else.example');
    expect((await owner.post('/domains', { name: 'learn.example' })).status).toBe(303);
    const domain = await h.control.findDomainByName('learn.example');
    const alias = await h.control.createAlias(domain?.id ?? '', { name: 'bob', hasImap: true });
    mailboxId = (await issueMailboxPassword(h.control, h.mailstore, alias, { newPassword: PASSWORD })).mailboxId;
    // The owner sorts mail: 12 spam into Junk, 11 ham out of it.
    const session = await h.mailstore.open(mailboxId, PASSWORD);
    try {
      for (const raw of spamSamples(12, 5)) session.move('INBOX', [(await session.append('INBOX', raw)).uid], 'Junk');
      for (const raw of hamSamples(11, 5)) session.move('Junk', [(await session.append('Junk', raw)).uid], 'INBOX');
    } finally {
      session.close();
    }
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the alias page links to it; the mailbox password shows what it learnt, and forgets it', async () => {
    expect((await owner.get('/domains/learn.example/aliases/bob')).text).toContain(`href="${path}"`);
    const page = await owner.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="password" type="password"');
    expect(page.text).not.toContain('Trained as spam');

    const before = await learned();
    expect(before).toMatchObject({ trainedSpam: 12, trainedHam: 11, active: true });
    const shown = await owner.post(path, { password: PASSWORD, action: 'show' });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('<dt>Trained as spam</dt><dd>12 messages</dd>');
    expect(shown.text).toContain('<dt>Trained as not spam</dt><dd>11 messages</dd>');
    expect(shown.text).toContain(`<dt>Words kept</dt><dd>${before.tokens} of at most 100000</dd>`);
    expect(shown.text).toContain('yes, from a spam probability of 90 %');
    expect(shown.text).not.toContain(PASSWORD);

    const forgot = await owner.post(path, { password: PASSWORD, action: 'forget' });
    expect(forgot.status).toBe(200);
    expect(forgot.text).toContain('Everything it had learnt is forgotten.');
    expect(forgot.text).toContain('<dt>Trained as spam</dt><dd>0 messages</dd>');
    expect(forgot.text).toContain('not yet: it needs 10 messages of each kind');
    expect(await learned()).toMatchObject({ trainedSpam: 0, trainedHam: 0, tokens: 0, active: false });
  });

  test('a wrong or missing password is refused and forgets nothing; another account gets 404', async () => {
    const session = await h.mailstore.open(mailboxId, PASSWORD);
    try {
      session.move('INBOX', [(await session.append('INBOX', spamSamples(1, 90)[0] as Buffer)).uid], 'Junk');
    } finally {
      session.close();
    }
    const wrong = await owner.post(path, { password: 'not it', action: 'forget' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('The mailbox password is wrong.');
    const missing = await owner.post(path, { action: 'forget' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter the mailbox password.');
    expect(await learned()).toMatchObject({ trainedSpam: 1 });
    expect((await other.get(path)).status).toBe(404);
    expect((await other.post(path, { password: PASSWORD, action: 'forget' })).status).toBe(404);
    expect(await learned()).toMatchObject({ trainedSpam: 1 });
  });
});
