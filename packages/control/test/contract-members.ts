/**
 * Contract cases for domain members and invites (part of runControlStoreContract): several accounts manage one
 * domain; the owner stays an admin; the last admin cannot go; an invite is accepted once, by its email's account.
 */
import { ConflictError, NotFoundError, PermissionError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import type { ControlStore, NewDomain } from '../src/types.js';

const DKIM = { selector: 'my1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };
const HOUR = 3_600_000;

function domainOf(accountId: string, name: string): NewDomain {
  return { accountId, name, verificationToken: `verify-${name}`, dkim: DKIM };
}

export function runMemberContract(current: () => ControlStore): void {
  const account = (email: string) => current().createAccount({ email, password: 'correct horse' });

  describe('domain members and invites', () => {
    test('the owner is an admin member; others see the domain only once they accept an invite', async () => {
      const store = current();
      const owner = await account('owner@members.example');
      const bob = await account('Bob@members.example');
      const domain = await store.createDomain(domainOf(owner.id, 'team.example'));
      expect(await store.domainRole(domain.id, owner.id)).toBe('admin');
      expect(await store.findDomain(bob.id, 'team.example')).toBeNull();
      expect((await store.listDomains(bob.id, { page: 1, limit: 10 })).total).toBe(0);

      const issued = await store.createDomainInvite({
        domainId: domain.id,
        email: 'Bob@members.example',
        role: 'user',
        invitedBy: owner.id,
        ttlMs: HOUR,
      });
      expect(issued.secret).toMatch(/^myi_/);
      expect((await store.listDomainInvites(domain.id)).map((i) => i.email)).toEqual([bob.email]);

      const member = await store.acceptDomainInvite(bob, { secret: issued.secret });
      expect(member).toMatchObject({ accountId: bob.id, role: 'user', isOwner: false });
      expect(await store.listDomainInvites(domain.id)).toEqual([]);
      expect((await store.findDomain(bob.id, 'team.example'))?.id).toBe(domain.id);
      expect((await store.listDomains(bob.id, { page: 1, limit: 10 })).items.map((d) => d.name)).toEqual([
        'team.example',
      ]);
      // The secret was used up.
      await expect(store.acceptDomainInvite(bob, { secret: issued.secret })).rejects.toBeInstanceOf(NotFoundError);
      // A member cannot be invited again.
      await expect(
        store.createDomainInvite({
          domainId: domain.id,
          email: bob.email,
          role: 'admin',
          invitedBy: owner.id,
          ttlMs: HOUR,
        }),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    test('an invite is accepted only by its email, before expiry, and is stored as a digest', async () => {
      const store = current();
      const owner = await account('owner2@members.example');
      const carol = await account('carol@members.example');
      const mallory = await account('mallory@members.example');
      const domain = await store.createDomain(domainOf(owner.id, 'invites.example'));
      const invite = { domainId: domain.id, email: carol.email, role: 'admin' as const, invitedBy: owner.id };
      const issued = await store.createDomainInvite({ ...invite, ttlMs: HOUR });
      await expect(store.acceptDomainInvite(mallory, { secret: issued.secret })).rejects.toBeInstanceOf(
        PermissionError,
      );
      await expect(store.acceptDomainInvite(mallory, { domainId: domain.id })).rejects.toBeInstanceOf(NotFoundError);
      // Re-inviting replaces the pending invite: the old secret no longer works.
      const again = await store.createDomainInvite({ ...invite, ttlMs: HOUR });
      await expect(store.acceptDomainInvite(carol, { secret: issued.secret })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.revokeDomainInvite(domain.id, carol.email)).toBe(true);
      await expect(store.acceptDomainInvite(carol, { secret: again.secret })).rejects.toBeInstanceOf(NotFoundError);
      // Expired.
      const expired = await store.createDomainInvite({ ...invite, ttlMs: -1 });
      expect(await store.listDomainInvites(domain.id)).toEqual([]);
      await expect(store.acceptDomainInvite(carol, { secret: expired.secret })).rejects.toBeInstanceOf(NotFoundError);
      // By domain and email (the accept route without the secret).
      await store.createDomainInvite({ ...invite, ttlMs: HOUR });
      expect(await store.acceptDomainInvite(carol, { domainId: domain.id })).toMatchObject({ role: 'admin' });
    });

    test('roles change; the owner and the last admin cannot be removed or demoted', async () => {
      const store = current();
      const owner = await account('owner3@members.example');
      const dave = await account('dave@members.example');
      const domain = await store.createDomain(domainOf(owner.id, 'roles.example'));
      await expect(store.removeDomainMember(domain.id, owner.id)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.setDomainMemberRole(domain.id, owner.email, 'user')).rejects.toBeInstanceOf(ConflictError);
      const issued = await store.createDomainInvite({
        domainId: domain.id,
        email: dave.email,
        role: 'user',
        invitedBy: owner.id,
        ttlMs: HOUR,
      });
      await store.acceptDomainInvite(dave, { secret: issued.secret });
      expect(await store.setDomainMemberRole(domain.id, dave.email, 'admin')).toMatchObject({ role: 'admin' });
      expect(await store.domainRole(domain.id, dave.id)).toBe('admin');
      expect((await store.listDomainMembers(domain.id)).map((m) => [m.email, m.role, m.isOwner])).toEqual([
        [owner.email, 'admin', true],
        [dave.email, 'admin', false],
      ]);
      expect(await store.removeDomainMember(domain.id, dave.id)).toBe(true);
      expect(await store.removeDomainMember(domain.id, dave.id)).toBe(false);
      expect(await store.findDomain(dave.id, domain.id)).toBeNull();
      expect(await store.setDomainMemberRole(domain.id, 'nobody@members.example', 'user')).toBeNull();
    });
  });
}
