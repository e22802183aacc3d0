/**
 * Contract cases for Sieve scripts (part of runControlStoreContract): named scripts per alias, at most one active
 * (RFC 5804 §1.3), every write checked (name per RFC 5804 §1.6, size, syntax with line and column), scoped to the
 * alias, and gone with it.
 */
import { ConflictError, QuotaExceededError, ValidationError } from '@mailyard/errors';
import { SieveSyntaxError } from '@mailyard/sieve';
import { describe, expect, test } from 'vitest';
import { SIEVE_STORAGE_LIMITS } from '../src/sieve-scripts.js';
import type { ControlStore } from '../src/types.js';

const FILE_LISTS = 'require "fileinto";\nif header :contains "list-id" "lists" { fileinto "Lists"; }\n';
const KEEP = 'keep;\n';

async function twoAliases(store: ControlStore) {
  const account = await store.createAccount({ email: 'sieve-owner@example.org', password: 'correct horse' });
  const domain = await store.createDomain({
    accountId: account.id,
    name: 'sieve.example',
    verificationToken: 'verify-sieve',
    dkim: { selector: 's1', publicKey: 'MIIB', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' },
    verified: true,
  });
  const alice = await store.createAlias(domain.id, { name: 'alice', hasImap: true });
  const bob = await store.createAlias(domain.id, { name: 'bob', hasImap: true });
  return { domain, alice, bob };
}

export function runSieveScriptContract(current: () => ControlStore, openSecond: () => Promise<ControlStore>): void {
  describe('Sieve scripts', () => {
    test('creates, lists by name, gets by id or name, and keeps them apart per alias', async () => {
      const store = current();
      const { alice, bob } = await twoAliases(store);
      const lists = await store.createSieveScript(alice.id, { name: 'lists', content: FILE_LISTS });
      expect(lists).toMatchObject({ aliasId: alice.id, name: 'lists', content: FILE_LISTS, isActive: false });
      expect(lists.size).toBe(Buffer.byteLength(FILE_LISTS));
      await store.createSieveScript(alice.id, { name: 'Älter', content: KEEP });
      expect((await store.listSieveScripts(alice.id)).map((s) => s.name)).toEqual(['lists', 'Älter']);
      expect(await store.getSieveScript(alice.id, lists.id)).toEqual(lists);
      expect(await store.getSieveScript(alice.id, 'lists')).toEqual(lists);
      expect(await store.getSieveScript(alice.id, 'LISTS')).toBeNull();
      expect(await store.getSieveScript(bob.id, lists.id)).toBeNull();
      expect(await store.listSieveScripts(bob.id)).toEqual([]);
      await store.createSieveScript(bob.id, { name: 'lists', content: KEEP });
      await expect(store.createSieveScript(alice.id, { name: 'lists', content: KEEP })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    test('at most one script is active; activation moves, null deactivates, and another process sees it', async () => {
      const store = current();
      const { alice, bob } = await twoAliases(store);
      expect(await store.getActiveSieveScript(alice.id)).toBeNull();
      const one = await store.createSieveScript(alice.id, { name: 'one', content: KEEP, isActive: true });
      expect(one.isActive).toBe(true);
      const two = await store.createSieveScript(alice.id, { name: 'two', content: FILE_LISTS, isActive: true });
      expect((await store.getActiveSieveScript(alice.id))?.id).toBe(two.id);
      expect((await store.getSieveScript(alice.id, 'one'))?.isActive).toBe(false);
      expect(await store.setActiveSieveScript(alice.id, 'one')).toBe(true);
      const second = await openSecond();
      try {
        expect((await second.getActiveSieveScript(alice.id))?.name).toBe('one');
      } finally {
        await second.close();
      }
      expect(await store.setActiveSieveScript(alice.id, 'missing')).toBe(false);
      expect((await store.getActiveSieveScript(alice.id))?.name).toBe('one');
      expect(await store.setActiveSieveScript(bob.id, one.id)).toBe(false);
      expect(await store.setActiveSieveScript(alice.id, null)).toBe(true);
      expect(await store.getActiveSieveScript(alice.id)).toBeNull();
      const active = await Promise.all(
        ['one', 'two', 'one', 'two'].map((name) => store.setActiveSieveScript(alice.id, name)),
      );
      expect(active).toEqual([true, true, true, true]);
      expect((await store.listSieveScripts(alice.id)).filter((s) => s.isActive)).toHaveLength(1);
    });

    test('put replaces content by name or creates; update renames, changes content and activation', async () => {
      const store = current();
      const { alice } = await twoAliases(store);
      const created = await store.putSieveScript(alice.id, 'main', KEEP);
      const replaced = await store.putSieveScript(alice.id, 'main', FILE_LISTS);
      expect(replaced).toMatchObject({ id: created.id, content: FILE_LISTS });
      const namedLikeId = await store.putSieveScript(alice.id, created.id, KEEP);
      expect(namedLikeId.id).not.toBe(created.id);
      expect((await store.getSieveScript(alice.id, 'main'))?.content).toBe(FILE_LISTS);
      expect(await store.deleteSieveScript(alice.id, namedLikeId.id)).toBe(true);
      const updated = await store.updateSieveScript(alice.id, created.id, { name: 'filters', isActive: true });
      expect(updated).toMatchObject({ id: created.id, name: 'filters', content: FILE_LISTS, isActive: true });
      expect(await store.updateSieveScript(alice.id, 'filters', { isActive: false })).toMatchObject({
        isActive: false,
      });
      expect(await store.updateSieveScript(alice.id, 'missing', { content: KEEP })).toBeNull();
    });

    test('rename: null for an unknown script, ConflictError onto an existing name', async () => {
      const store = current();
      const { alice } = await twoAliases(store);
      await store.createSieveScript(alice.id, { name: 'a', content: KEEP, isActive: true });
      await store.createSieveScript(alice.id, { name: 'b', content: KEEP });
      expect(await store.renameSieveScript(alice.id, 'a', 'c')).toMatchObject({ name: 'c', isActive: true });
      expect(await store.renameSieveScript(alice.id, 'a', 'd')).toBeNull();
      await expect(store.renameSieveScript(alice.id, 'c', 'b')).rejects.toBeInstanceOf(ConflictError);
      expect((await store.listSieveScripts(alice.id)).map((s) => s.name)).toEqual(['b', 'c']);
    });

    test('delete refuses the active script unless allowed; scripts go with their alias', async () => {
      const store = current();
      const { domain, alice } = await twoAliases(store);
      await store.createSieveScript(alice.id, { name: 'on', content: KEEP, isActive: true });
      await store.createSieveScript(alice.id, { name: 'off', content: KEEP });
      await expect(store.deleteSieveScript(alice.id, 'on')).rejects.toMatchObject({ code: 'ACTIVE' });
      expect(await store.deleteSieveScript(alice.id, 'off')).toBe(true);
      expect(await store.deleteSieveScript(alice.id, 'off')).toBe(false);
      expect(await store.deleteSieveScript(alice.id, 'on', { allowActive: true })).toBe(true);
      expect(await store.getActiveSieveScript(alice.id)).toBeNull();
      await store.createSieveScript(alice.id, { name: 'kept', content: KEEP, isActive: true });
      await store.deleteAlias(domain.id, alice.id);
      expect(await store.listSieveScripts(alice.id)).toEqual([]);
      expect(await store.getActiveSieveScript(alice.id)).toBeNull();
    });

    test('a script that does not compile is refused with its line and column, and nothing is stored', async () => {
      const store = current();
      const { alice } = await twoAliases(store);
      const missingRequire = 'keep;\nfileinto "Junk";\n';
      const error = await store.createSieveScript(alice.id, { name: 'bad', content: missingRequire }).catch((e) => e);
      expect(error).toBeInstanceOf(SieveSyntaxError);
      expect(error).toMatchObject({ line: 2, column: 1 });
      await expect(store.putSieveScript(alice.id, 'bad', 'if true {\n  keep;\n')).rejects.toMatchObject({
        line: 3,
      });
      await store.createSieveScript(alice.id, { name: 'good', content: KEEP });
      await expect(store.updateSieveScript(alice.id, 'good', { content: 'stop' })).rejects.toBeInstanceOf(
        SieveSyntaxError,
      );
      expect((await store.listSieveScripts(alice.id)).map((s) => [s.name, s.content])).toEqual([['good', KEEP]]);
    });

    test('names, sizes and counts past their limits are refused', async () => {
      const store = current();
      const { alice } = await twoAliases(store);
      for (const name of ['', 'line\nbreak', 'tab\there', 'sep\u2028x', 'x'.repeat(129)]) {
        await expect(store.createSieveScript(alice.id, { name, content: KEEP })).rejects.toBeInstanceOf(
          ValidationError,
        );
      }
      const big = `# ${'x'.repeat(SIEVE_STORAGE_LIMITS.maxScriptBytes)}\nkeep;\n`;
      await expect(store.putSieveScript(alice.id, 'big', big)).rejects.toMatchObject({ code: 'QUOTA/MAXSIZE' });
      for (let i = 0; i < SIEVE_STORAGE_LIMITS.maxScripts; i++) {
        await store.createSieveScript(alice.id, { name: `s${i}`, content: KEEP });
      }
      const over = await store.putSieveScript(alice.id, 'one-too-many', KEEP).catch((e) => e);
      expect(over).toBeInstanceOf(QuotaExceededError);
      expect(over).toMatchObject({ code: 'QUOTA/MAXSCRIPTS' });
      expect(await store.putSieveScript(alice.id, 's0', FILE_LISTS)).toMatchObject({ content: FILE_LISTS });
    });
  });
}
