// check-domains through the real checker, a real control store and a DNS responder on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@mailyard/config';
import { defaultResolver, expectedRecords, SqliteControlStore } from '@mailyard/control';
import { startDnsServer, Teardown, tempDir, txtChunks } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { recheckDomains } from '../src/domain-checks.js';

const HOSTNAME = 'mx.example.test';
const teardown = new Teardown();
afterEach(() => teardown.run());

test('re-checks every domain, stores each result, and alerts when a verified domain breaks', async () => {
  const dir = await tempDir('mailyard-domains-');
  teardown.defer(() => dir.cleanup());
  const dns = await startDnsServer();
  teardown.defer(() => dns.close());
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32) });
  teardown.defer(() => control.close());
  const owner = await control.createAccount({ email: 'o@example.org', password: 'pw' });
  const dkim = { selector: 'my1', publicKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest', privateKeyPem: 'x' };
  const good = await control.createDomain({ accountId: owner.id, name: 'good.example', verificationToken: 't1', dkim });
  await control.createDomain({ accountId: owner.id, name: 'bare.example', verificationToken: 't2', dkim });
  for (const record of expectedRecords(good, HOSTNAME)) {
    if (record.type === 'MX') dns.table.mx.set(record.name, [{ preference: 10, exchange: record.value }]);
    else dns.table.txt.set(record.name, [...(dns.table.txt.get(record.name) ?? []), txtChunks(record.value)]);
  }
  const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, dns: { resolver: dns.address } } });
  const alerts: string[] = [];
  const opts = {
    hostname: HOSTNAME,
    resolver: defaultResolver(config),
    alert: (_: unknown, m: string) => alerts.push(m),
  };

  expect(await control.isHostedDomain('good.example')).toBe(false);
  const first = await recheckDomains(control, opts);
  expect(first).toEqual({ domains: 2, verified: 1, failing: ['bare.example'], unreachable: [] });
  // The ownership record was found: good.example is verified by DNS and hosted for routing; bare.example is not.
  expect(await control.findDomain(owner.id, 'good.example')).toMatchObject({ verifiedBy: 'dns' });
  expect(await control.isHostedDomain('good.example')).toBe(true);
  expect(await control.isHostedDomain('bare.example')).toBe(false);
  expect((await control.findDomain(owner.id, 'good.example'))?.lastDnsCheck?.allOk).toBe(true);
  expect((await control.findDomain(owner.id, 'bare.example'))?.lastDnsCheck).toMatchObject({ allOk: false });
  expect(alerts).toEqual([]);

  dns.table.txt.delete(`_dmarc.good.example`);
  const second = await recheckDomains(control, opts);
  expect(second.failing).toEqual(['bare.example', 'good.example']);
  expect(alerts).toEqual(['DNS records of good.example no longer verify']);
  const stored = (await control.findDomain(owner.id, 'good.example'))?.lastDnsCheck;
  expect(stored?.records.find((r) => r.purpose === 'dmarc')?.status).toBe('missing');
});

test('withdraws a DNS verification when the ownership record disappears; keeps an administrator mark', async () => {
  const dir = await tempDir('mailyard-domains-');
  teardown.defer(() => dir.cleanup());
  const dns = await startDnsServer();
  teardown.defer(() => dns.close());
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32) });
  teardown.defer(() => control.close());
  const owner = await control.createAccount({ email: 'o@example.org', password: 'pw' });
  const dkim = { selector: 'my1', publicKey: 'AAAA', privateKeyPem: 'x' };
  await control.createDomain({ accountId: owner.id, name: 'sold.example', verificationToken: 't1', dkim });
  await control.createDomain({
    accountId: owner.id,
    name: 'ops.example',
    verificationToken: 't2',
    dkim,
    verified: true,
  });
  dns.table.txt.set('sold.example', [['mailyard-verification=t1']]);
  const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, dns: { resolver: dns.address } } });
  const alerts: string[] = [];
  const opts = {
    hostname: HOSTNAME,
    resolver: defaultResolver(config),
    alert: (_: unknown, m: string) => alerts.push(m),
  };

  await recheckDomains(control, opts);
  expect(await control.isHostedDomain('sold.example')).toBe(true);
  dns.table.txt.delete('sold.example');
  await recheckDomains(control, opts);
  expect(await control.isHostedDomain('sold.example')).toBe(false);
  expect(alerts).toEqual(['sold.example lost its verification: its TXT record is gone, so it no longer receives mail']);
  expect(await control.findDomainByName('ops.example')).toMatchObject({ verifiedBy: 'admin' });
  expect(await control.isHostedDomain('ops.example')).toBe(true);
});
