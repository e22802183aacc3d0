/**
 * Sieve on the dashboard through its forms (real HTTP, real control store): the vacation form and the simple
 * rules saved as the active `dashboard` script, the raw editor with syntax errors shown by line and column,
 * activate / deactivate / delete, and another account kept out.
 */
import { compileScript } from '@mailyard/sieve';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('Sieve filters on the dashboard', () => {
  let h: Harness;
  let owner: WebClient;
  let aliasId: string;
  const page = '/domains/filters.example/aliases/me/sieve';

  beforeAll(async () => {
    h = await startHarness();
    owner = await new WebClient(h.base).signUp('owner@filters.example');
    expect((await owner.post('/domains', { name: 'filters.example' })).status).toBe(303);
    const aliases = '/domains/filters.example/aliases';
    expect((await owner.post(aliases, { name: 'me', has_imap: 'on', is_enabled: 'on' })).status).toBe(303);
    expect((await owner.post(`${aliases}/me/password`)).status).toBe(201);
    const domain = await h.control.findDomainByName('filters.example');
    aliasId = (await h.control.findAlias(domain?.id ?? '', 'me'))?.id ?? '';
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  const active = () => h.control.getActiveSieveScript(aliasId);

  test('the alias page links to the Sieve page, which starts empty', async () => {
    expect((await owner.get('/domains/filters.example/aliases/me')).text).toContain(`href="${page}"`);
    const empty = await owner.get(page);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No scripts yet');
  });

  test('vacation and rules are saved together as the active dashboard script', async () => {
    await owner.get(page);
    const vacation = await owner.post(`${page}/vacation`, {
      vacation_enabled: 'on',
      vacation_subject: 'Away',
      vacation_message: 'Back on Monday.\r\nUrgent: call the office.',
      vacation_start: '2026-12-20',
      vacation_end: '2027-01-04',
      vacation_days: '2',
    });
    expect(vacation.status).toBe(303);
    await owner.get(page);
    const rules = await owner.post(`${page}/rules`, {
      rule_rows: '3',
      rule_field_0: 'from',
      rule_contains_0: 'boss@work.example',
      rule_action_0: 'fileinto',
      rule_argument_0: 'Boss',
      rule_field_1: 'subject',
      rule_contains_1: '',
      rule_action_1: 'discard',
      rule_field_2: 'to',
      rule_contains_2: 'lists@',
      rule_action_2: 'forward',
      rule_argument_2: 'archive@else.example',
    });
    expect(rules.status).toBe(303);
    const script = await active();
    expect(script?.name).toBe('dashboard');
    expect(() => compileScript(script?.content ?? '')).not.toThrow();
    expect(script?.content).toContain('vacation :days 2 :subject "Away"');
    expect(script?.content).toContain('currentdate :value "ge" "date" "2026-12-20"');
    expect(script?.content).toContain('fileinto :create "Boss";');
    expect(script?.content).toContain('redirect :copy "archive@else.example";');
    expect(script?.content).not.toContain('discard');
    const shown = await owner.get(page);
    expect(shown.text).toContain('value="boss@work.example"');
    expect(shown.text).toContain('Back on Monday.');
    expect(shown.text).toContain('value="2027-01-04"');
  });

  test('a bad rule is refused with its reason and the stored script stays as it was', async () => {
    const before = (await active())?.content;
    await owner.get(page);
    const bad = await owner.post(`${page}/rules`, {
      rule_rows: '1',
      rule_field_0: 'from',
      rule_contains_0: 'x',
      rule_action_0: 'forward',
      rule_argument_0: 'not an address',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Rule 1: not an address is not an email address.');
    expect((await active())?.content).toBe(before);
  });

  test('the editor shows a syntax error with its line and column, keeps the text, and stores nothing', async () => {
    await owner.get(page);
    const content = 'require "fileinto";\r\nif header :contains "subject" "x" {\r\n  fileinto "A"\r\n}\r\n';
    const failed = await owner.post(`${page}/editor`, { name: 'mine', content, activate: 'on' });
    expect(failed.status).toBe(400);
    expect(failed.text).toMatch(/role="alert">Line 4, column 1: [^<]+<\/p>/);
    expect(failed.text).toContain('id="sieve-error-context"');
    expect(failed.text).toContain('4 | }');
    expect(failed.text).toContain('fileinto &quot;A&quot;');
    expect(await h.control.getSieveScript(aliasId, 'mine')).toBeNull();
    const saved = await owner.post(`${page}/editor`, { name: 'mine', content: 'keep;\r\n', activate: 'on' });
    expect(saved.status).toBe(303);
    expect((await active())?.name).toBe('mine');
    const edit = await owner.get(`${page}?edit=mine`);
    expect(edit.text).toContain('value="mine"');
  });

  test('activate, deactivate and delete from the list; another account gets 404', async () => {
    await owner.get(page);
    expect((await owner.post(`${page}/scripts/dashboard/activate`)).status).toBe(303);
    expect((await active())?.name).toBe('dashboard');
    expect((await owner.post(`${page}/scripts/dashboard/deactivate`)).status).toBe(303);
    expect(await active()).toBeNull();
    expect((await owner.post(`${page}/scripts/mine/delete`)).status).toBe(303);
    expect(await h.control.getSieveScript(aliasId, 'mine')).toBeNull();
    expect((await owner.post(`${page}/scripts/mine/delete`)).status).toBe(404);
    await h.control.createAccount({ email: 'stranger@elsewhere.example', password: 'long enough pw' });
    const stranger = new WebClient(h.base);
    expect((await stranger.login('stranger@elsewhere.example')).status).toBe(303);
    expect((await stranger.get(page)).status).toBe(404);
    await stranger.get('/domains');
    expect((await stranger.post(`${page}/scripts/dashboard/delete`)).status).toBe(404);
    expect(await h.control.getSieveScript(aliasId, 'dashboard')).not.toBeNull();
  });
});
