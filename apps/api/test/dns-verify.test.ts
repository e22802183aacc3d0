import { startDnsServer, txtChunks } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

interface Checked {
  purpose: string;
  name: string;
  value: string;
  status: string;
  found: string[];
}

describe('GET /v1/domains/:domain/verify-records against a DNS server on 127.0.0.1', () => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let h: Harness;
  let token: string;
  let records: Checked[];

  beforeAll(async () => {
    dns = await startDnsServer();
    h = await startHarness({ resolver: dns.address });
    token = await h.signUp('dns@example.org');
    const created = await h.call('POST', '/v1/domains', { token, json: { name: 'verified.example' } });
    records = created.body.dns_records;
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
    await dns.close();
  });

  const record = (purpose: string) => records.find((r) => r.purpose === purpose) as Checked;
  const verify = async () => {
    const res = await h.call('GET', '/v1/domains/verified.example/verify-records', { token });
    expect(res.status).toBe(200);
    const byPurpose = Object.fromEntries(res.body.records.map((r: Checked) => [r.purpose, r]));
    return { body: res.body, byPurpose: byPurpose as Record<string, Checked> };
  };

  test('reports every record missing before anything is published', async () => {
    const { body, byPurpose } = await verify();
    expect(body.all_ok).toBe(false);
    expect(body).toMatchObject({ verified: false, verified_by: null });
    expect(await h.control.isHostedDomain('verified.example')).toBe(false);
    for (const purpose of ['mx', 'spf', 'dkim', 'dmarc', 'verification']) {
      expect(byPurpose[purpose]?.status, purpose).toBe('missing');
      expect(byPurpose[purpose]?.found).toEqual([]);
    }
  });

  test('reports ok once the records are published (DKIM split into 255-byte strings)', async () => {
    dns.table.mx.set('verified.example', [{ preference: 10, exchange: 'MX.mailyard.test' }]);
    dns.table.txt.set('verified.example', [
      ['v=spf1 mx -all'],
      ['google-site-verification=unrelated'],
      [record('verification').value],
    ]);
    const dkimValue = record('dkim').value;
    expect(dkimValue.length).toBeGreaterThan(255);
    dns.table.txt.set(record('dkim').name, [txtChunks(dkimValue)]);
    dns.table.txt.set('_dmarc.verified.example', [['v=DMARC1; p=quarantine; rua=mailto:dmarc@verified.example']]);
    const { body, byPurpose } = await verify();
    expect(Object.values(byPurpose).map((r) => [r.purpose, r.status])).toEqual([
      ['mx', 'ok'],
      ['spf', 'ok'],
      ['dkim', 'ok'],
      ['dmarc', 'ok'],
      ['verification', 'ok'],
    ]);
    expect(body.all_ok).toBe(true);
    expect(body).toMatchObject({ verified: true, verified_by: 'dns' });
    expect(await h.control.isHostedDomain('verified.example')).toBe(true);
    expect(byPurpose.spf?.found).toEqual(['v=spf1 mx -all']);
    expect(byPurpose.dkim?.found).toEqual([dkimValue]);
    const stored = await h.call('GET', '/v1/domains/verified.example', { token });
    expect(stored.body.last_dns_check.all_ok).toBe(true);
    const listed = await h.call('GET', '/v1/domains', { token });
    expect(listed.body[0].verified).toBe(true);
  });

  test('reports wrong values with what was expected and what was found', async () => {
    dns.table.mx.set('verified.example', [{ preference: 10, exchange: 'mail.elsewhere.example' }]);
    dns.table.txt.set('verified.example', [
      ['v=spf1 include:_spf.elsewhere.example -all'],
      ['mailyard-verification=old'],
    ]);
    dns.table.txt.set(record('dkim').name, [['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong']]);
    dns.table.txt.set('_dmarc.verified.example', [['v=DMARC1; p=none']]);
    const { body, byPurpose } = await verify();
    expect(body.all_ok).toBe(false);
    for (const purpose of ['mx', 'spf', 'dkim', 'dmarc', 'verification']) {
      expect(byPurpose[purpose]?.status, purpose).toBe('wrong');
    }
    expect(byPurpose.mx).toMatchObject({ value: 'mx.mailyard.test', found: ['mail.elsewhere.example'] });
    expect(byPurpose.dmarc).toMatchObject({ value: 'v=DMARC1; p=quarantine', found: ['v=DMARC1; p=none'] });
    expect(byPurpose.verification?.found).toEqual(['mailyard-verification=old']);
    // The ownership record is gone: a DNS verification is withdrawn, and the domain is no longer hosted.
    expect(body).toMatchObject({ verified: false, verified_by: null });
    expect(await h.control.isHostedDomain('verified.example')).toBe(false);
    const stored = await h.call('GET', '/v1/domains/verified.example', { token });
    expect(stored.body.last_dns_check.records.map((r: { status: string }) => r.status)).toEqual([
      'wrong',
      'wrong',
      'wrong',
      'wrong',
      'wrong',
    ]);
  });

  test('two SPF records are wrong (RFC 7208 §4.5)', async () => {
    dns.table.txt.set('verified.example', [['v=spf1 mx -all'], ['v=spf1 a -all']]);
    const { byPurpose } = await verify();
    expect(byPurpose.spf?.status).toBe('wrong');
  });
});
