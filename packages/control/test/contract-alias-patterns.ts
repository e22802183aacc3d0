/**
 * Contract cases for aliases as people use them (part of runControlStoreContract): pattern aliases in the routing
 * order, the answer of a disabled alias, labels and recipient verification of external forwards.
 */
import { ConflictError, ValidationError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import type { ControlStore, Domain } from '../src/types.js';

export function runAliasPatternContract(
  current: () => ControlStore,
  domainOf: (name: string) => Promise<Domain>,
  openSecond: () => Promise<ControlStore>,
) {
  describe('pattern aliases, disabled answers, labels, recipient verification', () => {
    test('routes exact, +tag base, wildcards, regexes, then the catch-all', async () => {
      const store = current();
      const domain = await domainOf('patterns.example');
      const id = async (name: string) => (await store.createAlias(domain.id, { name, recipients: ['a@x.test'] })).id;
      const salesExact = await id('sales');
      const salesAny = await id('Sales*');
      const salesEu = await id('sales-eu-*');
      const support = await id('/^support-\\d+$/');
      const all = await id('*');
      const route = async (address: string) => (await store.resolveRecipient(address))?.alias.id ?? null;
      expect(await route('sales@patterns.example')).toBe(salesExact);
      expect(await route('sales+x@patterns.example')).toBe(salesExact);
      expect(await route('salesforce@patterns.example')).toBe(salesAny);
      expect(await route('sales-eu-1@patterns.example')).toBe(salesEu);
      expect(await route('sales-eu-1+tag@patterns.example')).toBe(salesEu);
      expect(await route('support-42@patterns.example')).toBe(support);
      expect(await route('support-42+t@patterns.example')).toBe(support);
      expect(await route('support-x@patterns.example')).toBe(all);
      expect(await route('other@patterns.example')).toBe(all);
      const found = await store.findAlias(domain.id, 'sales*');
      expect(found).toMatchObject({ id: salesAny, name: 'sales*', patternKind: 'wildcard' });
      expect((await store.findAlias(domain.id, '/^support-\\d+$/'))?.patternKind).toBe('regex');
      // A pattern's name is not an address of its own.
      expect(await route('/^support-\\d+$/@patterns.example')).toBe(all);
    });

    test("another process's new, changed and deleted patterns route at once", async () => {
      const store = current();
      const domain = await domainOf('second.example');
      await store.createAlias(domain.id, { name: 'a-*' });
      expect((await store.resolveRecipient('b-1@second.example'))?.alias.name).toBeUndefined();
      const second = await openSecond();
      try {
        const b = await second.createAlias(domain.id, { name: 'b-*' });
        expect((await store.resolveRecipient('b-1@second.example'))?.alias.id).toBe(b.id);
        await second.updateAlias(domain.id, b.id, { name: 'c-*' });
        expect(await store.resolveRecipient('b-1@second.example')).toBeNull();
        expect((await store.resolveRecipient('c-1@second.example'))?.alias.id).toBe(b.id);
        await second.deleteAlias(domain.id, b.id);
        expect(await store.resolveRecipient('c-1@second.example')).toBeNull();
      } finally {
        await second.close();
      }
    });

    test('refuses unsafe, catch-all-like and duplicate patterns; caps patterns per domain', async () => {
      const store = current();
      const domain = await domainOf('refusals.example');
      for (const name of ['**', '/(a)\\1/', '/(?=x)y/', '/.*/', '/a{2000}/', `/${'a'.repeat(200)}/`]) {
        await expect(store.createAlias(domain.id, { name })).rejects.toThrow(ValidationError);
      }
      await store.createAlias(domain.id, { name: 'team-*' });
      await expect(store.createAlias(domain.id, { name: 'TEAM-**' })).rejects.toThrow(ConflictError);
      for (let i = 1; i < 50; i += 1) await store.createAlias(domain.id, { name: `p${i}-*` });
      await expect(store.createAlias(domain.id, { name: 'one-more-*' })).rejects.toThrow(/at most 50 pattern/);
      const exact = await store.createAlias(domain.id, { name: 'still-exact' });
      await expect(store.updateAlias(domain.id, exact.id, { name: 'now-*' })).rejects.toThrow(/at most 50/);
      const p1 = await store.findAlias(domain.id, 'p1-*');
      expect((await store.updateAlias(domain.id, p1?.id ?? '', { name: 'p1-renamed-*' }))?.name).toBe('p1-renamed-*');
      expect((await store.updateAlias(domain.id, p1?.id ?? '', { name: 'plain' }))?.patternKind).toBe('exact');
    });

    test('a disabled alias is routed with its answer; resolveRecipient does not deliver to it', async () => {
      const store = current();
      const domain = await domainOf('disabled.example');
      const alias = await store.createAlias(domain.id, { name: 'gone', isEnabled: false });
      expect(alias.errorCodeIfDisabled).toBe(250);
      await store.updateAlias(domain.id, alias.id, { errorCodeIfDisabled: 550 });
      const routed = await store.routeRecipient('gone+x@disabled.example');
      expect(routed?.alias).toMatchObject({ id: alias.id, isEnabled: false, errorCodeIfDisabled: 550 });
      expect(await store.resolveRecipient('gone@disabled.example')).toBeNull();
      await expect(
        store.updateAlias(domain.id, alias.id, { errorCodeIfDisabled: 404 as unknown as 250 }),
      ).rejects.toThrow(ValidationError);
      const wild = await store.createAlias(domain.id, { name: 'old-*', isEnabled: false, errorCodeIfDisabled: 421 });
      await store.createAlias(domain.id, { name: '*' });
      expect((await store.routeRecipient('old-1@disabled.example'))?.alias.id).toBe(wild.id);
    });

    test('labels are normalized and filter the list', async () => {
      const store = current();
      const domain = await domainOf('labels.example');
      const a = await store.createAlias(domain.id, { name: 'a', labels: [' Team ', 'team', 'billing'] });
      expect(a.labels).toEqual(['team', 'billing']);
      await store.createAlias(domain.id, { name: 'b', labels: ['team'] });
      await store.createAlias(domain.id, { name: 'c' });
      const page = await store.listAliases(domain.id, { page: 1, limit: 10, label: 'TEAM' });
      expect(page.items.map((x) => x.name)).toEqual(['a', 'b']);
      expect(page.total).toBe(2);
      expect((await store.listAliases(domain.id, { page: 1, limit: 10, label: 'billing', name: 'a' })).total).toBe(1);
      expect((await store.listAliases(domain.id, { page: 1, limit: 10 })).total).toBe(3);
      await expect(store.createAlias(domain.id, { name: 'd', labels: ['has space'] })).rejects.toThrow(ValidationError);
      const many = Array.from({ length: 21 }, (_, i) => `l${i}`);
      await expect(store.createAlias(domain.id, { name: 'e', labels: many })).rejects.toThrow(/at most 20/);
    });

    test('recipient verification: external forwards wait for their token; others are not asked', async () => {
      const store = current();
      const domain = await domainOf('verify.example');
      const alias = await store.createAlias(domain.id, {
        name: 'fwd',
        recipients: ['Ext@Remote.test', 'local@verify.example', 'https://hooks.remote.test/in'],
        hasRecipientVerification: true,
      });
      const issued = await store.syncRecipientVerifications(alias.id);
      expect(issued.map((i) => i.recipient)).toEqual(['ext@remote.test']);
      expect(await store.syncRecipientVerifications(alias.id)).toEqual([]);
      expect((await store.routeRecipient('fwd@verify.example'))?.awaitingVerification).toEqual(['ext@remote.test']);
      const [row] = await store.listRecipientVerifications(alias.id);
      expect(row).toMatchObject({ recipient: 'ext@remote.test', verifiedAt: null });
      expect(await store.confirmRecipientVerification('myd_wrong')).toBeNull();
      const token = issued[0]?.token ?? '';
      // Describing a link changes nothing: the recipient still waits.
      expect(await store.describeRecipientVerification('myd_wrong')).toBeNull();
      expect(await store.describeRecipientVerification(token)).toEqual({
        aliasId: alias.id,
        aliasName: 'fwd',
        domainName: 'verify.example',
        recipient: 'ext@remote.test',
        verifiedAt: null,
      });
      expect((await store.routeRecipient('fwd@verify.example'))?.awaitingVerification).toEqual(['ext@remote.test']);
      expect(await store.confirmRecipientVerification(token)).toEqual({
        aliasId: alias.id,
        recipient: 'ext@remote.test',
      });
      expect((await store.routeRecipient('fwd@verify.example'))?.awaitingVerification).toEqual([]);
      expect((await store.listRecipientVerifications(alias.id))[0]?.verifiedAt).toBeInstanceOf(Date);
      expect((await store.describeRecipientVerification(token))?.verifiedAt).toBeInstanceOf(Date);
      await store.updateAlias(domain.id, alias.id, { recipients: ['other@remote.test'] });
      expect((await store.syncRecipientVerifications(alias.id)).map((i) => i.recipient)).toEqual(['other@remote.test']);
      expect((await store.listRecipientVerifications(alias.id)).map((v) => v.recipient)).toEqual(['other@remote.test']);
      expect(await store.confirmRecipientVerification(token)).toBeNull();
      expect(await store.describeRecipientVerification(token)).toBeNull();
      const plain = await store.createAlias(domain.id, { name: 'plain', recipients: ['x@remote.test'] });
      expect(await store.syncRecipientVerifications(plain.id)).toEqual([]);
      expect((await store.routeRecipient('plain@verify.example'))?.awaitingVerification).toBeUndefined();

      // Asked again: a new token replaces the old one, at most once per interval; none for a confirmed recipient.
      const [pending] = await store.listRecipientVerifications(alias.id);
      const soon = await store.reissueRecipientVerification(alias.id, 'Other@Remote.test', 60_000);
      expect(soon.outcome).toBe('too-soon');
      expect(soon.outcome === 'too-soon' && soon.retryAfterMs).toBeGreaterThan(50_000);
      expect((await store.reissueRecipientVerification(alias.id, 'nobody@remote.test', 0)).outcome).toBe('unknown');
      const again = await store.reissueRecipientVerification(alias.id, 'other@remote.test', 0);
      if (again.outcome !== 'issued') throw new Error(`expected a new token, got ${again.outcome}`);
      expect((await store.listRecipientVerifications(alias.id))[0]?.sentAt.getTime()).toBeGreaterThanOrEqual(
        pending?.sentAt.getTime() ?? 0,
      );
      expect(await store.confirmRecipientVerification(again.issued.token)).toMatchObject({
        recipient: 'other@remote.test',
      });
      expect((await store.reissueRecipientVerification(alias.id, 'other@remote.test', 0)).outcome).toBe('verified');

      // The domain's setting: an alias without its own verifies once the domain says so.
      const owner = (await store.findDomainByName('verify.example'))?.accountId ?? '';
      await store.updateDomain(owner, domain.id, { hasRecipientVerification: true });
      expect((await store.syncRecipientVerifications(plain.id)).map((i) => i.recipient)).toEqual(['x@remote.test']);
      expect((await store.routeRecipient('plain@verify.example'))?.awaitingVerification).toEqual(['x@remote.test']);
      await store.updateDomain(owner, domain.id, { hasRecipientVerification: false });
      expect((await store.routeRecipient('plain@verify.example'))?.awaitingVerification).toBeUndefined();
    });
  });
}
