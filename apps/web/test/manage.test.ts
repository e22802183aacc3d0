import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

/** The secret shown once on a page, by its element id. */
function secretOf(html: string, id: string): string {
  const value = new RegExp(`id="${id}">([^<]+)<`).exec(html)?.[1];
  if (!value) throw new Error(`no #${id} on the page`);
  return value;
}

describe('managing domains and aliases through forms', () => {
  let h: Harness;
  let owner: WebClient;

  beforeAll(async () => {
    h = await startHarness();
    owner = await new WebClient(h.base).signUp('owner@manage.example');
    expect((await owner.post('/domains', { name: 'Bücher.Example', description: 'books' })).status).toBe(303);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('an international domain is stored in ASCII and shown in Unicode', async () => {
    const domain = await h.control.findDomainByName('xn--bcher-kva.example');
    expect(domain?.description).toBe('books');
    const page = await owner.get('/domains/xn--bcher-kva.example');
    expect(page.text).toContain('<h1>bücher.example</h1>');
    expect(page.text).toContain('xn--bcher-kva.example');
  });

  test('edits an alias: forwarding recipients, mailbox off, disabled; refuses a bad recipient', async () => {
    const base = '/domains/xn--bcher-kva.example/aliases';
    expect((await owner.post(base, { name: 'Sales', has_imap: 'on', is_enabled: 'on' })).status).toBe(303);
    const saved = await owner.post(`${base}/sales`, {
      recipients: 'one@remote.example, two@remote.example\nthree@remote.example',
      description: 'team',
    });
    expect(saved.status).toBe(303);
    const domain = await h.control.findDomainByName('xn--bcher-kva.example');
    const alias = domain ? await h.control.findAlias(domain.id, 'sales') : null;
    expect(alias).toMatchObject({
      recipients: ['one@remote.example', 'two@remote.example', 'three@remote.example'],
      hasImap: false,
      isEnabled: false,
      description: 'team',
    });
    const bad = await owner.post(`${base}/sales`, { recipients: 'not an address', is_enabled: 'on' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('invalid recipient address: not an address');
    expect(bad.text).toContain('>not an address</textarea>');
    const list = await owner.get(`${base}?q=sal`);
    expect(list.text).toContain('sales@bücher.example');
  });

  test('pattern aliases, labels with their filter, the answer while disabled, verification status', async () => {
    expect((await owner.post('/domains', { name: 'patterns.example' })).status).toBe(303);
    const base = '/domains/patterns.example/aliases';
    const domain = await h.control.findDomainByName('patterns.example');
    const created = await owner.post(base, {
      name: 'Team-*',
      recipients: 'team@remote.example',
      labels: 'Ops, eu',
      error_code_if_disabled: '550 refuse',
    });
    expect(created.status).toBe(303);
    const team = domain ? await h.control.findAlias(domain.id, 'team-*') : null;
    expect(team).toMatchObject({
      patternKind: 'wildcard',
      labels: ['ops', 'eu'],
      errorCodeIfDisabled: 550,
      isEnabled: false,
    });
    const refused = await owner.post(base, { name: '/(a)\\1/', is_enabled: 'on' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('unsupported regular expression');
    await owner.post(base, { name: 'plain', is_enabled: 'on', labels: 'finance' });
    const filtered = await owner.get(`${base}?label=ops`);
    expect(filtered.text).toContain('team-*@patterns.example');
    expect(filtered.text).not.toContain('>plain@patterns.example</a>');
    expect(filtered.text).toContain('Aliases labelled <strong>ops</strong>');
    const page = await owner.get(`${base}/${encodeURIComponent('team-*')}`);
    expect(page.text).toContain('<option value="550 refuse" selected>');
    expect(page.text).toContain('A pattern alias cannot have a mailbox');
    if (!domain || !team) throw new Error('no alias');
    await h.control.updateAlias(domain.id, team.id, { hasRecipientVerification: true });
    await h.control.syncRecipientVerifications(team.id);
    const verifying = await owner.get(`${base}/${encodeURIComponent('team-*')}`);
    expect(verifying.text).toContain('Recipient verification');
    expect(verifying.text).toContain('not yet: nothing is forwarded to it');
  });

  test('a second password needs the current one or the recovery key (zero-access)', async () => {
    const path = '/domains/xn--bcher-kva.example/aliases/desk';
    expect(
      (await owner.post('/domains/xn--bcher-kva.example/aliases', { name: 'desk', has_imap: 'on', is_enabled: 'on' }))
        .status,
    ).toBe(303);
    const first = await owner.post(`${path}/password`);
    expect(first.status).toBe(201);
    const password = secretOf(first.text, 'mailbox-password');
    const recoveryKey = secretOf(first.text, 'recovery-key');
    expect(first.headers.get('cache-control')).toBe('no-store');

    const page = await owner.get(path);
    expect(page.text).toContain('Current mailbox password');
    const none = await owner.post(`${path}/password`);
    expect(none.status).toBe(400);
    expect(none.text).toContain('the server cannot change it alone');
    const wrong = await owner.post(`${path}/password`, { password: 'not it' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('the current password or recovery key is wrong');

    const viaPassword = await owner.post(`${path}/password`, { password });
    expect(viaPassword.status).toBe(200);
    const second = secretOf(viaPassword.text, 'mailbox-password');
    expect(second).not.toBe(password);
    expect(viaPassword.text).not.toContain('id="recovery-key"');
    expect(await h.control.verifyMailboxPassword('desk@xn--bcher-kva.example', second)).not.toBeNull();
    expect(await h.control.verifyMailboxPassword('desk@xn--bcher-kva.example', password)).toBeNull();

    const viaRecovery = await owner.post(`${path}/password`, { recovery_key: recoveryKey });
    expect(viaRecovery.status).toBe(200);
    const session = await h.mailstore.open(
      (
        await h.control.verifyMailboxPassword(
          'desk@xn--bcher-kva.example',
          secretOf(viaRecovery.text, 'mailbox-password'),
        )
      )?.alias.mailboxId ?? '',
      secretOf(viaRecovery.text, 'mailbox-password'),
    );
    session.close();
  });

  test('the catch-all has a page but no mailbox', async () => {
    const base = '/domains/xn--bcher-kva.example/aliases';
    expect((await owner.post(base, { name: '*', recipients: 'all@remote.example', is_enabled: 'on' })).status).toBe(
      303,
    );
    const page = await owner.get(`${base}/*`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The catch-all cannot have a mailbox of its own');
    const refused = await owner.post(`${base}/*/password`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The catch-all cannot have a mailbox.');
  });

  test('deleting an alias deletes its mailbox; deleting a domain deletes everything under it', async () => {
    const domain = await h.control.findDomainByName('xn--bcher-kva.example');
    if (!domain) throw new Error('domain missing');
    const desk = await h.control.findAlias(domain.id, 'desk');
    const mailboxId = desk?.mailboxId ?? '';
    expect(h.mailstore.exists(mailboxId)).toBe(true);
    const confirm = await owner.get('/domains/xn--bcher-kva.example/aliases/desk/delete');
    expect(confirm.text).toContain('Its mailbox and all its mail are deleted too.');
    const gone = await owner.post('/domains/xn--bcher-kva.example/aliases/desk/delete');
    expect(gone.status).toBe(303);
    expect(h.mailstore.exists(mailboxId)).toBe(false);
    expect(await h.control.findAlias(domain.id, 'desk')).toBeNull();

    const confirmDomain = await owner.get('/domains/xn--bcher-kva.example/delete');
    expect(confirmDomain.text).toMatch(/also deletes its\s+2 alias\(es\)/);
    expect((await owner.post('/domains/xn--bcher-kva.example/delete')).status).toBe(303);
    expect(await h.control.findDomainByName('xn--bcher-kva.example')).toBeNull();
    expect((await owner.get('/domains')).text).toContain('Domain bücher.example deleted.');
  });
});
