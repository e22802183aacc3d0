/**
 * The dashboard's spam filter page of a domain, through real HTTP with a logged-in session and CSRF tokens:
 * change thresholds, greylisting and the sender lists; see the settings on each alias page; bad input is a 400
 * page naming the problem, with the typed values kept and nothing changed.
 */
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
