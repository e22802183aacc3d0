/**
 * Contract cases for domain claiming and verification, and for the KDF work of password checks (part of
 * runControlStoreContract). Why they matter: a domain is a claim on other people's mail, so an account must not
 * capture mail for a name it does not own; and a login must not tell by its timing which users exist.
 */
import { ConflictError, ValidationError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import type { ScryptCost } from '../src/secrets.js';
import type { ControlStore, NewDomain } from '../src/types.js';

const DKIM = { selector: 'my1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

function unverified(accountId: string, name: string): NewDomain {
  return { accountId, name, verificationToken: `verify-${name}`, dkim: DKIM };
}

export function runDomainClaimContract(
  current: () => ControlStore,
  openSecond: () => Promise<ControlStore>,
  kdfLog: () => ScryptCost[],
): void {
  const account = (email: string) => current().createAccount({ email, password: 'correct horse' });

  describe('domain verification and claiming', () => {
    test('an unverified domain is not hosted for routing until DNS or an administrator verifies it', async () => {
      const store = current();
      const owner = await account('owner@example.org');
      const domain = await store.createDomain(unverified(owner.id, 'gmail.example'));
      expect(domain).toMatchObject({ verifiedAt: null, verifiedBy: null });
      const alias = await store.createAlias(domain.id, { name: 'victim', hasImap: true });
      await store.setMailboxCredential(alias.id, 'mbx-victim', 'pw');
      expect(await store.isHostedDomain('gmail.example')).toBe(false);
      expect(await store.resolveRecipient('victim@gmail.example')).toBeNull();
      // Its owner may still log in to the mailbox: that reaches only the account's own data.
      expect((await store.verifyMailboxPassword('victim@gmail.example', 'pw'))?.alias.id).toBe(alias.id);

      const marked = await store.setDomainVerification(domain.id, 'dns');
      expect(marked).toMatchObject({ verifiedBy: 'dns' });
      expect(marked?.verifiedAt).toBeInstanceOf(Date);
      expect(await store.isHostedDomain('GMAIL.example')).toBe(true);
      expect((await store.resolveRecipient('victim@gmail.example'))?.alias.id).toBe(alias.id);
      expect(await store.setDomainVerification(domain.id, null)).toMatchObject({ verifiedAt: null, verifiedBy: null });
      expect(await store.resolveRecipient('victim@gmail.example')).toBeNull();
      expect(await store.setDomainVerification('missing', 'admin')).toBeNull();

      const byAdmin = await store.createDomain({ ...unverified(owner.id, 'admin.example'), verified: true });
      expect(byAdmin.verifiedBy).toBe('admin');
      expect(await store.isHostedDomain('admin.example')).toBe(true);
    });

    test('a domain, its parents and its subdomains cannot be added while another account holds one', async () => {
      const store = current();
      const a = await account('a@example.org');
      const b = await account('b@example.org');
      await store.createDomain(unverified(a.id, 'example.test'));
      await store.createDomain(unverified(a.id, 'deep.sub.tenant.test'));
      for (const name of ['example.test', 'sub.example.test', 'x.y.example.test', 'tenant.test', 'sub.tenant.test']) {
        const error = await store.createDomain(unverified(b.id, name)).catch((err: unknown) => err);
        expect(error, name).toBeInstanceOf(ConflictError);
        expect((error as Error).message).toMatch(/another account holds/);
      }
      expect((await store.createDomain(unverified(a.id, 'mail.example.test'))).name).toBe('mail.example.test');
      expect((await store.createDomain(unverified(a.id, 'tenant.test'))).name).toBe('tenant.test');
      expect((await store.createDomain(unverified(b.id, 'notexample.test'))).name).toBe('notexample.test');
      expect((await store.createDomain(unverified(b.id, 'other.tenant2.test'))).name).toBe('other.tenant2.test');
      await expect(store.createDomain(unverified(a.id, 'example.test'))).rejects.toThrow(/already registered/);
    });

    test('a public suffix cannot be claimed', async () => {
      const store = current();
      const a = await account('a@example.org');
      for (const name of ['co.uk', 'com.au', 'COM.br.']) {
        await expect(store.createDomain(unverified(a.id, name)), name).rejects.toBeInstanceOf(ValidationError);
      }
      expect((await store.createDomain(unverified(a.id, 'shop.co.uk'))).name).toBe('shop.co.uk');
    });

    test('two stores racing to add a parent and its subdomain for two accounts: exactly one wins', async () => {
      const second = await openSecond();
      try {
        const a = await account('a@example.org');
        const b = await account('b@example.org');
        for (let round = 0; round < 5; round++) {
          const results = await Promise.allSettled([
            current().createDomain(unverified(a.id, `race${round}.test`)),
            second.createDomain(unverified(b.id, `sub.race${round}.test`)),
          ]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          const refused = results.find((r) => r.status === 'rejected');
          expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ConflictError);
        }
      } finally {
        await second.close();
      }
    });
  });

  describe('password checks do the same KDF work whether or not the user exists', () => {
    test('mailbox logins: unknown, invalid, disabled and password-less addresses run one KDF at the same cost', async () => {
      const store = current();
      const owner = await account('owner@example.org');
      const domain = await store.createDomain({ ...unverified(owner.id, 'kdf.example'), verified: true });
      const real = await store.createAlias(domain.id, { name: 'real' });
      await store.setMailboxCredential(real.id, 'mbx-real', 'right');
      const off = await store.createAlias(domain.id, { name: 'off' });
      await store.setMailboxCredential(off.id, 'mbx-off', 'right');
      await store.updateAlias(domain.id, off.id, { isEnabled: false });
      await store.createAlias(domain.id, { name: 'nopassword', recipients: ['x@elsewhere.example'] });

      const runs = async (address: string) => {
        const before = kdfLog().length;
        expect(await store.verifyMailboxPassword(address, 'wrong')).toBeNull();
        return kdfLog().slice(before);
      };
      const reference = await runs('real@kdf.example');
      expect(reference).toHaveLength(1);
      for (const address of [
        'nobody@kdf.example',
        'real@unknown.example',
        'not an address',
        'off@kdf.example',
        'nopassword@kdf.example',
      ]) {
        expect(await runs(address), address).toEqual(reference);
      }
    });

    test('account logins: an unknown or invalid email runs one KDF at the same cost as a wrong password', async () => {
      const store = current();
      await account('known@example.org');
      const runs = async (email: string) => {
        const before = kdfLog().length;
        expect(await store.verifyAccountPassword(email, 'wrong')).toBeNull();
        return kdfLog().slice(before);
      };
      const reference = await runs('known@example.org');
      expect(reference).toHaveLength(1);
      expect(await runs('nobody@example.org')).toEqual(reference);
      expect(await runs('not an email')).toEqual(reference);
    });
  });
}
