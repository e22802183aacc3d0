/**
 * The behaviour every ControlStore backend must show. A backend's test file calls
 * `runControlStoreContract('sqlite', factory)`; the factory returns a fresh, empty store, a dispose function, and
 * openSecond, which opens another store over the same data as a second process would (the caller closes it).
 */
import { ConflictError, PermissionError, ValidationError } from '@mailyard/errors';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ScryptCost } from '../src/secrets.js';
import type { ControlStore, NewDomain } from '../src/types.js';
import { runAliasPatternContract } from './contract-alias-patterns.js';
import { runDomainClaimContract } from './contract-domains.js';
import { runMailEventContract } from './contract-mail-events.js';
import { runMemberContract } from './contract-members.js';
import { runSentEmailContract } from './contract-sent-emails.js';
import { runSessionContract } from './contract-sessions.js';
import { runSieveMarkContract } from './contract-sieve-marks.js';
import { runSieveScriptContract } from './contract-sieve-scripts.js';
import { runSpamContract } from './contract-spam.js';
import { runWebhookContract } from './contract-webhooks.js';

export interface ControlStoreFixture {
  store: ControlStore;
  dispose: () => Promise<void>;
  openSecond: () => Promise<ControlStore>;
  /** The cost of every password KDF the store ran, in order (the backend's onKdf hook). */
  kdfLog: ScryptCost[];
}

export type ControlStoreFactory = () => Promise<ControlStoreFixture>;

const DKIM = { selector: 'my1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

/** Verified (by an administrator), so that routing finds it; contract-domains.ts covers unverified domains. */
function newDomain(accountId: string, name: string): NewDomain {
  return { accountId, name, verificationToken: `verify-${name}`, dkim: DKIM, verified: true };
}

export function runControlStoreContract(name: string, factory: ControlStoreFactory): void {
  describe(`ControlStore contract: ${name}`, () => {
    let store: ControlStore;
    let dispose: () => Promise<void>;
    let openSecond: () => Promise<ControlStore>;
    let kdfLog: ScryptCost[];

    beforeEach(async () => {
      ({ store, dispose, openSecond, kdfLog } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    const account = (email = 'owner@example.org') => store.createAccount({ email, password: 'correct horse' });

    describe('accounts', () => {
      test('creates, counts, verifies passwords and normalizes the email', async () => {
        expect(await store.countAccounts()).toBe(0);
        const created = await store.createAccount({ email: 'Alice@Example.ORG', password: 'pw-1', isAdmin: true });
        expect(created).toMatchObject({ email: 'alice@example.org', isAdmin: true });
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(await store.countAccounts()).toBe(1);
        expect(await store.getAccount(created.id)).toEqual(created);
        expect((await store.verifyAccountPassword('alice@example.org', 'pw-1'))?.id).toBe(created.id);
        expect(await store.verifyAccountPassword('alice@example.org', 'pw-2')).toBeNull();
        expect(await store.verifyAccountPassword('nobody@example.org', 'pw-1')).toBeNull();
        expect(await store.getAccount('missing')).toBeNull();
        expect((await store.findAccountByEmail('ALICE@example.org'))?.id).toBe(created.id);
        expect(await store.findAccountByEmail('bob@example.org')).toBeNull();
      });

      test('replaces an account password', async () => {
        const owner = await account('pw@example.org');
        expect(await store.setAccountPassword(owner.id, 'new secret')).toBe(true);
        expect(await store.verifyAccountPassword('pw@example.org', 'correct horse')).toBeNull();
        expect((await store.verifyAccountPassword('pw@example.org', 'new secret'))?.id).toBe(owner.id);
        expect(await store.setAccountPassword('missing', 'new secret')).toBe(false);
      });

      test('the first account, and only it, becomes administrator, even when two stores race to create it', async () => {
        const second = await openSecond();
        try {
          const created = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 ? second : store).createAccount({ email: `racer${i}@example.org`, password: 'pw' }),
            ),
          );
          expect(created.filter((a) => a.isAdmin)).toHaveLength(1);
          const reread = await Promise.all(created.map((a) => second.getAccount(a.id)));
          expect(reread.filter((a) => a?.isAdmin)).toHaveLength(1);
          const promoted = await store.createAccount({
            email: 'second-admin@example.org',
            password: 'pw',
            isAdmin: true,
          });
          expect(promoted.isAdmin).toBe(true);
        } finally {
          await second.close();
        }
      });

      test('onlyIfFirst lets exactly one of two racing sign-ups in', async () => {
        const second = await openSecond();
        try {
          const results = await Promise.allSettled([
            store.createAccount({ email: 'first@example.org', password: 'pw', onlyIfFirst: true }),
            second.createAccount({ email: 'late@example.org', password: 'pw', onlyIfFirst: true }),
          ]);
          const made = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
          expect(made).toHaveLength(1);
          expect(made[0]?.isAdmin).toBe(true);
          expect(refused[0]).toBeInstanceOf(PermissionError);
          expect(await store.countAccounts()).toBe(1);
        } finally {
          await second.close();
        }
      });

      test('rejects duplicates and invalid emails', async () => {
        await account('a@example.org');
        await expect(account('A@example.org')).rejects.toBeInstanceOf(ConflictError);
        await expect(account('not-an-email')).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('API tokens', () => {
      test('authenticates by secret until revoked, within its own account only', async () => {
        const owner = await account();
        const other = await account('other@example.org');
        const issued = await store.createToken(owner.id, 'laptop');
        expect(issued.secret.length).toBeGreaterThan(40);
        const auth = await store.authenticateToken(issued.secret);
        expect(auth?.account.id).toBe(owner.id);
        expect(auth?.token.lastUsedAt).toBeInstanceOf(Date);
        expect(await store.authenticateToken(`${issued.secret}x`)).toBeNull();
        const listed = await store.listTokens(owner.id);
        expect(listed.map((t) => t.name)).toEqual(['laptop']);
        expect(JSON.stringify(listed)).not.toContain(issued.secret);
        expect(await store.revokeToken(other.id, issued.token.id)).toBe(false);
        expect(await store.revokeToken(owner.id, issued.token.id)).toBe(true);
        expect(await store.revokeToken(owner.id, issued.token.id)).toBe(false);
        expect(await store.authenticateToken(issued.secret)).toBeNull();
        expect((await store.listTokens(owner.id))[0]?.revokedAt).toBeInstanceOf(Date);
      });
    });

    runSessionContract(
      () => store,
      () => openSecond(),
    );

    runDomainClaimContract(
      () => store,
      () => openSecond(),
      () => kdfLog,
    );

    runSieveMarkContract(
      () => store,
      () => openSecond(),
    );

    runSieveScriptContract(
      () => store,
      () => openSecond(),
    );

    runSentEmailContract(() => store);

    runAliasPatternContract(
      () => store,
      async (name) => store.createDomain(newDomain((await account()).id, name)),
      () => openSecond(),
    );

    runMemberContract(() => store);

    runMailEventContract(() => store);

    runWebhookContract(
      () => store,
      () => openSecond(),
    );

    runSpamContract(
      () => store,
      async () => (await store.createDomain(newDomain((await account()).id, 'spam-settings.example'))).id,
    );

    describe('domains', () => {
      test('stores IDN names in punycode and finds them by id, ASCII or Unicode name', async () => {
        const owner = await account();
        const domain = await store.createDomain(newDomain(owner.id, 'Bücher.Example'));
        expect(domain.name).toBe('xn--bcher-kva.example');
        expect(domain).toMatchObject({ dkimSelector: 'my1', dmarcPolicy: 'quarantine', lastDnsCheck: null });
        for (const ref of [domain.id, 'xn--bcher-kva.example', 'bücher.example', 'BÜCHER.example']) {
          expect((await store.findDomain(owner.id, ref))?.id).toBe(domain.id);
        }
        expect(await store.isHostedDomain('bücher.example')).toBe(true);
        expect(await store.isHostedDomain('other.example')).toBe(false);
        expect((await store.findDomainByName('BÜCHER.example'))?.id).toBe(domain.id);
        expect(await store.findDomainByName('other.example')).toBeNull();
        const other = await store.createDomain(newDomain((await account('b@example.org')).id, 'another.example'));
        expect((await store.listAllDomains()).map((d) => d.id)).toEqual([other.id, domain.id]);
      });

      test('rejects duplicates across accounts and invalid names', async () => {
        const a = await account();
        const b = await account('b@example.org');
        await store.createDomain(newDomain(a.id, 'example.com'));
        await expect(store.createDomain(newDomain(b.id, 'EXAMPLE.com'))).rejects.toBeInstanceOf(ConflictError);
        for (const bad of ['nodot', '-bad.example', 'a..b', 'sp ace.example', `${'x'.repeat(64)}.com`, '1.2.3.4']) {
          await expect(store.createDomain(newDomain(a.id, bad))).rejects.toBeInstanceOf(ValidationError);
        }
      });

      test("never returns another account's domain", async () => {
        const a = await account();
        const b = await account('b@example.org');
        const domain = await store.createDomain(newDomain(a.id, 'example.com'));
        expect(await store.findDomain(b.id, domain.id)).toBeNull();
        expect(await store.findDomain(b.id, 'example.com')).toBeNull();
        expect((await store.listDomains(b.id, { page: 1, limit: 10 })).total).toBe(0);
        expect(await store.updateDomain(b.id, domain.id, { description: 'x' })).toBeNull();
        expect(await store.deleteDomain(b.id, domain.id)).toBeNull();
        expect(await store.findDomain(a.id, domain.id)).not.toBeNull();
      });

      test('pages, sorts and filters', async () => {
        const owner = await account();
        for (const n of ['c.example', 'a.example', 'b.example', 'ab.test']) {
          await store.createDomain(newDomain(owner.id, n));
        }
        const first = await store.listDomains(owner.id, { page: 1, limit: 3, sort: 'name' });
        expect(first.total).toBe(4);
        expect(first.items.map((d) => d.name)).toEqual(['a.example', 'ab.test', 'b.example']);
        const second = await store.listDomains(owner.id, { page: 2, limit: 3, sort: 'name' });
        expect(second.items.map((d) => d.name)).toEqual(['c.example']);
        const desc = await store.listDomains(owner.id, { page: 1, limit: 10, sort: '-name' });
        expect(desc.items[0]?.name).toBe('c.example');
        const newest = await store.listDomains(owner.id, { page: 1, limit: 1, sort: '-created_at' });
        expect(newest.items[0]?.name).toBe('ab.test');
        const filtered = await store.listDomains(owner.id, { page: 1, limit: 10, name: 'B' });
        expect(filtered.items.map((d) => d.name)).toEqual(['ab.test', 'b.example']);
        expect(filtered.total).toBe(2);
        expect((await store.listDomains(owner.id, { page: 1, limit: 10, name: '%' })).total).toBe(0);
      });

      test('updates, records DNS checks, keeps the DKIM key sealed and deletes with its aliases', async () => {
        const owner = await account();
        const domain = await store.createDomain(newDomain(owner.id, 'example.com'));
        const updated = await store.updateDomain(owner.id, domain.id, { dmarcPolicy: 'reject', description: 'main' });
        expect(updated).toMatchObject({ dmarcPolicy: 'reject', description: 'main', name: 'example.com' });
        const checkedAt = new Date('2026-01-02T03:04:05Z');
        const records = [{ purpose: 'mx', type: 'MX', name: 'example.com', status: 'ok' as const }];
        await store.recordDnsCheck(domain.id, { checkedAt, allOk: true, records });
        expect((await store.findDomain(owner.id, domain.id))?.lastDnsCheck).toEqual({
          checkedAt,
          allOk: true,
          records,
        });
        expect(await store.getDkimKey('EXAMPLE.com')).toEqual({ selector: 'my1', privateKeyPem: DKIM.privateKeyPem });
        expect(await store.getDkimKey('unknown.example')).toBeNull();
        const alias = await store.createAlias(domain.id, { name: 'box' });
        await store.setMailboxCredential(alias.id, 'mbx-1', 'secret');
        expect(await store.deleteDomain(owner.id, domain.id)).toEqual({ mailboxIds: ['mbx-1'] });
        expect(await store.findDomain(owner.id, domain.id)).toBeNull();
        expect(await store.findAlias(domain.id, alias.id)).toBeNull();
        expect(await store.resolveRecipient('box@example.com')).toBeNull();
      });
    });

    describe('aliases', () => {
      async function domainOf(name = 'example.com') {
        const owner = await account();
        return store.createDomain(newDomain(owner.id, name));
      }

      test('creates with defaults, normalizes and rejects duplicates and bad input', async () => {
        const domain = await domainOf();
        const alias = await store.createAlias(domain.id, { name: 'Info', recipients: ['X@Example.NET'] });
        expect(alias).toMatchObject({
          name: 'info',
          recipients: ['x@example.net'],
          hasImap: false,
          isEnabled: true,
          description: '',
          mailboxId: null,
        });
        await expect(store.createAlias(domain.id, { name: 'INFO' })).rejects.toBeInstanceOf(ConflictError);
        for (const bad of ['a b', 'a+b', '.a', 'a..b', 'x'.repeat(65), '', 'a@b']) {
          await expect(store.createAlias(domain.id, { name: bad })).rejects.toBeInstanceOf(ValidationError);
        }
        await expect(store.createAlias(domain.id, { name: 'ok', recipients: ['nope'] })).rejects.toBeInstanceOf(
          ValidationError,
        );
        expect((await store.findAlias(domain.id, 'INFO'))?.id).toBe(alias.id);
        expect((await store.findAlias(domain.id, alias.id))?.name).toBe('info');
      });

      test('updates, renames without clobbering another alias, deletes, pages', async () => {
        const domain = await domainOf();
        const a = await store.createAlias(domain.id, { name: 'a' });
        await store.createAlias(domain.id, { name: 'b' });
        const updated = await store.updateAlias(domain.id, a.id, {
          recipients: ['t@example.net'],
          isEnabled: false,
          description: 'desc',
        });
        expect(updated).toMatchObject({
          name: 'a',
          recipients: ['t@example.net'],
          isEnabled: false,
          description: 'desc',
        });
        await expect(store.updateAlias(domain.id, a.id, { name: 'b' })).rejects.toBeInstanceOf(ConflictError);
        expect((await store.updateAlias(domain.id, a.id, { name: 'c' }))?.name).toBe('c');
        expect(await store.updateAlias(domain.id, 'missing', { name: 'd' })).toBeNull();
        const page = await store.listAliases(domain.id, { page: 1, limit: 1, sort: 'name' });
        expect(page).toMatchObject({ total: 2, page: 1, limit: 1 });
        expect(page.items.map((x) => x.name)).toEqual(['b']);
        expect(await store.deleteAlias(domain.id, a.id)).toEqual({ mailboxId: null });
        expect(await store.deleteAlias(domain.id, a.id)).toBeNull();
        expect((await store.listAliases(domain.id, { page: 1, limit: 10 })).total).toBe(1);
      });

      test('canSendAs: exact addresses and *@domain of the same account only, normalized, updatable', async () => {
        const domain = await domainOf('example.com');
        await store.createDomain(newDomain(domain.accountId, 'other.example'));
        const alias = await store.createAlias(domain.id, {
          name: 'boss',
          canSendAs: ['Sales@Example.com', '*@OTHER.example', 'sales@example.com'],
        });
        expect(alias.canSendAs).toEqual(['sales@example.com', '*@other.example']);
        expect((await store.createAlias(domain.id, { name: 'plain' })).canSendAs).toEqual([]);
        const stranger = await account('stranger@example.org');
        await store.createDomain(newDomain(stranger.id, 'foreign.example'));
        for (const bad of ['*@foreign.example', 'x@foreign.example', '*@unhosted.example', 'a@b@example.com', '*']) {
          await expect(store.updateAlias(domain.id, alias.id, { canSendAs: [bad] })).rejects.toBeInstanceOf(
            ValidationError,
          );
        }
        const updated = await store.updateAlias(domain.id, alias.id, { canSendAs: ['*@example.com'] });
        expect(updated?.canSendAs).toEqual(['*@example.com']);
        expect((await store.updateAlias(domain.id, alias.id, { description: 'x' }))?.canSendAs).toEqual([
          '*@example.com',
        ]);
        expect((await store.resolveRecipient('boss@example.com'))?.alias.canSendAs).toEqual(['*@example.com']);
      });

      test('resolves exact, then +subaddress, then catch-all; a disabled match rejects', async () => {
        const domain = await domainOf('bücher.example');
        const info = await store.createAlias(domain.id, { name: 'info' });
        const plus = await store.createAlias(domain.id, { name: 'sales' });
        expect((await store.resolveRecipient('INFO@BÜCHER.example'))?.alias.id).toBe(info.id);
        expect((await store.resolveRecipient('info@xn--bcher-kva.example'))?.domain.id).toBe(domain.id);
        expect((await store.resolveRecipient('sales+news@bücher.example'))?.alias.id).toBe(plus.id);
        expect(await store.resolveRecipient('other@bücher.example')).toBeNull();
        const all = await store.createAlias(domain.id, { name: '*' });
        expect((await store.resolveRecipient('other@bücher.example'))?.alias.id).toBe(all.id);
        expect((await store.resolveRecipient('other+x@bücher.example'))?.alias.id).toBe(all.id);
        await store.updateAlias(domain.id, info.id, { isEnabled: false });
        expect(await store.resolveRecipient('info@bücher.example')).toBeNull();
        expect(await store.resolveRecipient('info@unknown.example')).toBeNull();
        expect(await store.resolveRecipient('garbage')).toBeNull();
      });

      test('mailbox credentials check a login without the mailbox', async () => {
        const domain = await domainOf();
        const alias = await store.createAlias(domain.id, { name: 'me' });
        expect(await store.verifyMailboxPassword('me@example.com', 'pw')).toBeNull();
        await store.setMailboxCredential(alias.id, 'mbx-me', 'pw');
        const found = await store.verifyMailboxPassword('ME@example.com', 'pw');
        expect(found?.alias).toMatchObject({ id: alias.id, mailboxId: 'mbx-me', hasImap: true });
        expect(await store.verifyMailboxPassword('me@example.com', 'wrong')).toBeNull();
        expect(await store.verifyMailboxPassword('me+tag@example.com', 'pw')).toBeNull();
        await store.setMailboxCredential(alias.id, 'mbx-me', 'pw2');
        expect(await store.verifyMailboxPassword('me@example.com', 'pw')).toBeNull();
        expect(await store.verifyMailboxPassword('me@example.com', 'pw2')).not.toBeNull();
        await store.updateAlias(domain.id, alias.id, { isEnabled: false });
        expect(await store.verifyMailboxPassword('me@example.com', 'pw2')).toBeNull();
      });
    });

    describe('outbound queue', () => {
      const body = Buffer.from('Subject: hi\r\n\r\nbody\r\n');

      test('keeps the DSN parameters of a queued message (RFC 3461)', async () => {
        const dsn = {
          ret: 'HDRS' as const,
          envid: 'env 1',
          recipients: { 'x@r.example': { notify: ['NEVER' as const] } },
        };
        await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['x@r.example', 'y@r.example'], body, dsn });
        await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['z@r.example'], body });
        const items = await store.claimDue('w', new Date(), 10);
        expect(items.map((i) => i.dsn)).toEqual([dsn, undefined]);
      });

      test('claims each due item for one worker only, and re-offers it when the lease expires', async () => {
        for (let i = 0; i < 6; i++)
          await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['x@r.example'], body });
        const now = new Date();
        await store.enqueue({
          envelopeFrom: 'a@example.com',
          recipients: ['later@r.example'],
          body,
          nextAttemptAt: new Date(now.getTime() + 3_600_000),
        });
        const [w1, w2] = await Promise.all([store.claimDue('w1', now, 4, 1000), store.claimDue('w2', now, 4, 1000)]);
        const ids = [...w1, ...w2].map((item) => item.id);
        expect(ids).toHaveLength(6);
        expect(new Set(ids).size).toBe(6);
        expect(w1[0]?.body.equals(body) ?? w2[0]?.body.equals(body)).toBe(true);
        expect(await store.claimDue('w3', now, 10, 1000)).toEqual([]);
        const reclaimed = await store.claimDue('w3', new Date(now.getTime() + 1001), 10, 1000);
        expect(reclaimed).toHaveLength(6);
      });

      test('records attempts per recipient, finishes, logs, and refuses a worker without the lease', async () => {
        const queued = await store.enqueue({
          envelopeFrom: 'a@example.com',
          recipients: ['ok@r.example', 'later@r.example'],
          body,
        });
        expect(queued).toMatchObject({ state: 'queued', attempts: 0 });
        const [item] = await store.claimDue('w1', new Date(), 10);
        expect(item?.id).toBe(queued.id);
        await expect(
          store.recordAttempt(queued.id, 'w2', { recipients: [], nextAttemptAt: new Date() }),
        ).rejects.toBeInstanceOf(ConflictError);
        const retryAt = new Date(Date.now() + 60_000);
        const after = await store.recordAttempt(queued.id, 'w1', {
          recipients: [
            { address: 'ok@r.example', status: 'delivered' },
            { address: 'later@r.example', status: 'deferred', error: '451 4.7.1 greylisted' },
          ],
          nextAttemptAt: retryAt,
          error: '451 4.7.1 greylisted',
        });
        expect(after).toMatchObject({ state: 'queued', attempts: 1, lastError: '451 4.7.1 greylisted' });
        expect(after.nextAttemptAt.getTime()).toBe(retryAt.getTime());
        expect(after.recipients.map((r) => r.status)).toEqual(['delivered', 'deferred']);
        expect(await store.claimDue('w1', new Date(), 10)).toEqual([]);
        const [again] = await store.claimDue('w1', new Date(retryAt.getTime() + 1), 10);
        expect(again?.body.equals(body)).toBe(true);
        await store.complete(queued.id, 'w1', 'failed');
        const [recent] = await store.listRecent(10);
        expect(recent).toMatchObject({ id: queued.id, state: 'failed' });
        expect(recent?.recipients.map((r) => r.status)).toEqual(['delivered', 'failed']);
        const log = await store.deliveryLog(queued.id);
        expect(log.map((e) => [e.recipient, e.status])).toEqual([
          ['ok@r.example', 'delivered'],
          ['later@r.example', 'deferred'],
        ]);
        expect(await store.claimDue('w1', new Date(Date.now() + 86_400_000), 10)).toEqual([]);
      });

      test('an attempt that settles every recipient finishes the item', async () => {
        await store.enqueue({ envelopeFrom: '', recipients: ['a@r.example'], body });
        const [item] = await store.claimDue('w', new Date(), 1);
        if (!item) throw new Error('nothing claimed');
        const done = await store.recordAttempt(item.id, 'w', {
          recipients: [{ address: 'a@r.example', status: 'delivered' }],
          nextAttemptAt: new Date(),
        });
        expect(done.state).toBe('delivered');
      });
    });
  });
}
