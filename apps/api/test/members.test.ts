/**
 * Domain members and invites over HTTP: an admin invites an email with a role, the invited account accepts (with
 * the secret, or Forward Email's way by GET /v1/domains/:domain/invites), and each role reaches what the role
 * matrix of docs/api.md says: a 'user' member reads the domain and manages its aliases, but cannot change or
 * delete the domain, its spam settings or webhooks, or its members; a non-member gets 404 everywhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('domain members and invites', () => {
  let h: Harness;
  let owner: string;
  let user: string;
  let stranger: string;
  let admin2: string;
  beforeAll(async () => {
    h = await startHarness({ signupOpen: false });
    owner = await h.signUp('owner@team.example');
    user = await h.signUp('user@team.example', owner);
    stranger = await h.signUp('stranger@team.example', owner);
    admin2 = await h.signUp('second@team.example', owner);
    const created = await h.call('POST', '/v1/domains', { token: owner, json: { name: 'shared.example' } });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('invite with a secret, accepted by the invited account only; then the user role reaches the aliases', async () => {
    const invite = await h.call('POST', '/v1/domains/shared.example/invites', {
      token: owner,
      json: { email: 'user@team.example', role: 'user' },
    });
    expect(invite.status).toBe(201);
    expect(invite.body).toMatchObject({ email: 'user@team.example', role: 'user' });
    expect(invite.body.accept_path).toBe('/v1/invites/accept');
    const listed = await h.call('GET', '/v1/domains/shared.example/invites', { token: owner });
    expect(listed.body.map((i: { email: string }) => i.email)).toEqual(['user@team.example']);
    expect(JSON.stringify(listed.body)).not.toContain(invite.body.secret);

    // Before accepting: the domain is as unknown to the invitee as to anyone.
    expect((await h.call('GET', '/v1/domains/shared.example', { token: user })).status).toBe(404);
    const secret = { secret: invite.body.secret };
    const wrong = await h.call('POST', '/v1/invites/accept', { token: stranger, json: secret });
    expect(wrong.status).toBe(403);
    // Forward Email's clients send forms (curl -d): the secret as a form field works the same.
    const accepted = await h.call('POST', '/v1/invites/accept', {
      token: user,
      body: `secret=${encodeURIComponent(invite.body.secret)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ domain: { name: 'shared.example' }, role: 'user' });
    expect((await h.call('POST', '/v1/invites/accept', { token: user, json: secret })).status).toBe(404);

    const domains = await h.call('GET', '/v1/domains', { token: user });
    expect(domains.body.map((d: { name: string }) => d.name)).toEqual(['shared.example']);
    expect((await h.call('GET', '/v1/domains/shared.example', { token: user })).status).toBe(200);
    const alias = await h.call('POST', '/v1/domains/shared.example/aliases', {
      token: user,
      json: { name: 'sales', recipients: ['team@elsewhere.example'] },
    });
    expect(alias.status).toBe(201);
    const changed = await h.call('PUT', '/v1/domains/shared.example/aliases/sales', {
      token: user,
      json: { is_enabled: false },
    });
    expect(changed.body.is_enabled).toBe(false);
    const members = await h.call('GET', '/v1/domains/shared.example/members', { token: user });
    expect(members.body.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      ['owner@team.example', 'admin'],
      ['user@team.example', 'user'],
    ]);
  });

  test('a user member cannot delete or change the domain, its settings, webhooks, members or invites', async () => {
    const refused: [string, string, unknown?][] = [
      ['DELETE', '/v1/domains/shared.example'],
      ['PUT', '/v1/domains/shared.example', { description: 'mine now' }],
      ['PUT', '/v1/domains/shared.example/spam-settings', { greylisting: true }],
      ['GET', '/v1/domains/shared.example/event-webhooks'],
      ['POST', '/v1/domains/shared.example/webhook-secret'],
      ['POST', '/v1/domains/shared.example/invites', { email: 'friend@team.example', role: 'admin' }],
      ['GET', '/v1/domains/shared.example/invites'],
      ['PUT', '/v1/domains/shared.example/members/owner@team.example', { role: 'user' }],
      ['DELETE', '/v1/domains/shared.example/members/owner@team.example'],
    ];
    for (const [method, path, json] of refused) {
      const res = await h.call(method, path, { token: user, ...(json ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.message).toContain('only an admin of shared.example');
    }
    expect((await h.call('GET', '/v1/domains/shared.example', { token: owner })).body.description).toBe('');
  });

  test('a non-member gets 404 on every domain route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/domains/shared.example'],
      ['GET', '/v1/domains/shared.example/aliases'],
      ['GET', '/v1/domains/shared.example/members'],
      ['DELETE', '/v1/domains/shared.example'],
      ['GET', '/v1/domains/shared.example/invites'],
      ['POST', '/v1/domains/shared.example/invites'],
    ]) {
      expect((await h.call(method as string, path as string, { token: stranger })).status, `${method} ${path}`).toBe(
        404,
      );
    }
    expect((await h.call('GET', '/v1/domains', { token: stranger })).body).toEqual([]);
  });

  test("Forward Email's accept (GET invites by the invited account), group names, the owner and last admin stay", async () => {
    const invite = await h.call('POST', '/v1/domains/shared.example/invites', {
      token: owner,
      body: 'email=second%40team.example&group=admin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(invite.status).toBe(201);
    expect(invite.body.role).toBe('admin');
    const accepted = await h.call('GET', '/v1/domains/shared.example/invites', { token: admin2 });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ domain: { name: 'shared.example' }, role: 'admin' });

    // The second admin manages members; the owner can be neither demoted nor removed.
    const account = await h.call('GET', '/v1/account', { token: user });
    const promoted = await h.call('PUT', `/v1/domains/shared.example/members/${account.body.id}`, {
      token: admin2,
      json: { group: 'admin' },
    });
    expect(promoted.body).toMatchObject({ email: 'user@team.example', role: 'admin' });
    for (const [method, json] of [
      ['PUT', { role: 'user' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.call(method, '/v1/domains/shared.example/members/owner@team.example', {
        token: admin2,
        ...(json ? { json } : {}),
      });
      expect(res.status).toBe(409);
    }
    // A member may leave; an admin removes another member; both lose the domain (404).
    expect(
      (await h.call('DELETE', '/v1/domains/shared.example/members/second@team.example', { token: admin2 })).status,
    ).toBe(204);
    expect((await h.call('GET', '/v1/domains/shared.example', { token: admin2 })).status).toBe(404);
    expect(
      (await h.call('DELETE', `/v1/domains/shared.example/members/${account.body.id}`, { token: owner })).status,
    ).toBe(204);
    expect((await h.call('GET', '/v1/domains/shared.example/aliases', { token: user })).status).toBe(404);
  });

  test('invites are revoked by email (Forward Email) or id; an invite for a member is a conflict', async () => {
    const made = await h.call('POST', '/v1/domains/shared.example/invites', {
      token: owner,
      json: { email: 'later@team.example' },
    });
    expect(made.body.role).toBe('user');
    const again = await h.call('POST', '/v1/domains/shared.example/invites', {
      token: owner,
      json: { email: 'other@team.example' },
    });
    expect(
      (await h.call('DELETE', `/v1/domains/shared.example/invites/${again.body.id}`, { token: owner })).status,
    ).toBe(204);
    const byEmail = await h.call('DELETE', '/v1/domains/shared.example/invites', {
      token: owner,
      json: { email: 'later@team.example' },
    });
    expect(byEmail.status).toBe(204);
    expect((await h.call('GET', '/v1/domains/shared.example/invites', { token: owner })).body).toEqual([]);
    const member = await h.call('POST', '/v1/domains/shared.example/invites', {
      token: owner,
      json: { email: 'owner@team.example' },
    });
    expect(member.status).toBe(409);
  });

  test('a server administrator adds an account directly; a domain admin who is not one must invite', async () => {
    // owner is the server's first account, hence its administrator.
    const added = await h.call('POST', '/v1/domains/shared.example/members', {
      token: owner,
      json: { email: 'stranger@team.example', role: 'user' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'stranger@team.example', role: 'user', is_owner: false });
    await h.call('POST', '/v1/domains', { token: admin2, json: { name: 'second.example' } });
    const refused = await h.call('POST', '/v1/domains/second.example/members', {
      token: admin2,
      json: { email: 'user@team.example' },
    });
    expect(refused.status).toBe(403);
  });
});

describe('domain invites with open sign-up', () => {
  test("Forward Email's accept without the secret is refused (anyone could sign up as the invited address)", async () => {
    const h = await startHarness({ signupOpen: true });
    try {
      const owner = await h.signUp('boss@open.example');
      const invitee = await h.signUp('new@open.example');
      await h.call('POST', '/v1/domains', { token: owner, json: { name: 'open.example' } });
      const invite = await h.call('POST', '/v1/domains/open.example/invites', {
        token: owner,
        json: { email: 'new@open.example', role: 'user' },
      });
      const refused = await h.call('GET', '/v1/domains/open.example/invites', { token: invitee });
      expect(refused.status).toBe(404);
      // The same answer as for a name that does not exist: nothing tells which domains are there.
      expect((await h.call('GET', '/v1/domains/nowhere.example/invites', { token: invitee })).body).toEqual(
        refused.body,
      );
      const accepted = await h.call('POST', '/v1/invites/accept', {
        token: invitee,
        json: { secret: invite.body.secret },
      });
      expect(accepted.status).toBe(200);
      expect(h.errors).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('invite secrets stay out of paths and logs', () => {
  test('the former path form is refused without using the secret; no log line carries a secret', async () => {
    const h = await startHarness({ signupOpen: false, logLevel: 'debug' });
    try {
      const owner = await h.signUp('owner@paths.example');
      const invitee = await h.signUp('invitee@paths.example', owner);
      await h.call('POST', '/v1/domains', { token: owner, json: { name: 'paths.example' } });
      const invite = await h.call('POST', '/v1/domains/paths.example/invites', {
        token: owner,
        json: { email: 'invitee@paths.example' },
      });
      const secret: string = invite.body.secret;
      expect(secret).toMatch(/^myi_/);
      const old = await h.call('POST', `/v1/invites/${secret}/accept`, { token: invitee });
      expect(old.status).toBe(400);
      expect(old.body.message).toContain('POST /v1/invites/accept');
      // Refused without being used: the invitee is still not a member, and the secret still accepts.
      expect((await h.call('GET', '/v1/domains/paths.example', { token: invitee })).status).toBe(404);
      expect((await h.call('POST', '/v1/invites/accept', { token: invitee, json: {} })).status).toBe(400);
      const accepted = await h.call('POST', '/v1/invites/accept', { token: invitee, json: { secret } });
      expect(accepted.status).toBe(200);
      // The request lines (debug) name the paths, the old one included, with the secret masked.
      const logged = JSON.stringify(h.logs);
      expect(logged).toContain('/v1/invites/myi_[Redacted]/accept');
      expect(logged).not.toContain(secret.slice(4));
      expect(h.errors).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('subdomains of a shared domain', () => {
  test("an admin member adds one for the domain's owner; a user member and strangers cannot", async () => {
    const h = await startHarness({ signupOpen: false });
    try {
      const owner = await h.signUp('owner@sub.example');
      const admin = await h.signUp('admin@sub.example', owner);
      const user = await h.signUp('user@sub.example', owner);
      const stranger = await h.signUp('stranger@sub.example', owner);
      await h.call('POST', '/v1/domains', { token: owner, json: { name: 'parent.example' } });
      for (const [email, role, token] of [
        ['admin@sub.example', 'admin', admin],
        ['user@sub.example', 'user', user],
      ] as const) {
        const invite = await h.call('POST', '/v1/domains/parent.example/invites', {
          token: owner,
          json: { email, role },
        });
        const accepted = await h.call('POST', '/v1/invites/accept', { token, json: { secret: invite.body.secret } });
        expect(accepted.status).toBe(200);
      }

      for (const token of [user, stranger]) {
        const refused = await h.call('POST', '/v1/domains', { token, json: { name: 'mail.parent.example' } });
        expect(refused.status).toBe(409);
        expect(refused.body.message).toContain('parent.example, a parent domain');
      }
      const added = await h.call('POST', '/v1/domains', { token: admin, json: { name: 'mail.parent.example' } });
      expect(added.status).toBe(201);
      // The subtree stays the owner's: the owner holds it and manages it, the admin who added it too.
      const members = await h.call('GET', '/v1/domains/mail.parent.example/members', { token: owner });
      const listed = members.body.map((m: { email: string; is_owner: boolean }) => [m.email, m.is_owner]);
      expect(listed).toHaveLength(2);
      expect(listed).toEqual(
        expect.arrayContaining([
          ['owner@sub.example', true],
          ['admin@sub.example', false],
        ]),
      );
      expect((await h.call('GET', '/v1/domains/mail.parent.example', { token: user })).status).toBe(404);
      expect((await h.call('DELETE', '/v1/domains/mail.parent.example', { token: admin })).status).toBe(204);
      expect(h.errors).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
