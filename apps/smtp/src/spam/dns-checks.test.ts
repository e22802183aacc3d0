import { Resolver } from 'node:dns/promises';
import { type DnsServer, startDnsServer } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  blocklistCheck,
  clientCheck,
  heloAnomaly,
  linkDomains,
  listedName,
  loadPublicSuffixList,
  type Resolve,
  reversedIp,
  zones,
} from './dns-checks.js';
import type { SpamInput } from './verdict.js';

test('DNSBL query names: reversed IPv4 octets, reversed IPv6 nibbles (RFC 5782 §2.1, §2.4)', () => {
  expect(reversedIp('192.0.2.99')).toBe('99.2.0.192');
  expect(reversedIp('::ffff:192.0.2.99')).toBe('99.2.0.192');
  expect(reversedIp('2001:db8:1:2::ab')).toBe('b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2');
  expect(reversedIp('not an ip')).toBeNull();
});

test('the listed name of a host (Public Suffix List), the zone list, and the link hosts of a message', async () => {
  await loadPublicSuffixList();
  expect(listedName('www.shop.example.com')).toBe('example.com');
  expect(listedName('mail.example.co.uk.')).toBe('example.co.uk');
  expect(listedName('a.b.Example.COM.AU')).toBe('example.com.au');
  // Suffixes the old two-or-three-labels guess got wrong: a long second-level suffix, a short registrable name.
  expect(listedName('shop.example.gov.pl')).toBe('example.gov.pl');
  expect(listedName('www.abc.uk')).toBe('abc.uk');
  expect(listedName('promo.shop.kawasaki.jp')).toBe('promo.shop.kawasaki.jp'); // *.kawasaki.jp is a suffix
  // The ICANN section only: a private suffix's host is asked under the company's domain.
  expect(listedName('spammer.blogspot.com')).toBe('blogspot.com');
  expect(listedName('co.uk')).toBeNull();
  expect(listedName('192.0.2.1')).toBeNull();
  expect(zones(' zen.example.org, dbl.example.net. ,')).toEqual(['zen.example.org', 'dbl.example.net']);
  expect(zones(undefined)).toEqual([]);
  const body = Buffer.from('see https://a.shop.test/x and http://B.Shop.test/y and https://other.test');
  expect(linkDomains(body)).toEqual(['shop.test', 'other.test']);
  expect(linkDomains(null)).toEqual([]);
});

test('HELO sanity (RFC 5321 §4.1.4)', () => {
  expect(heloAnomaly('mail.example.org', '192.0.2.1', 'mx.us.test')).toBeNull();
  expect(heloAnomaly('[192.0.2.1]', '192.0.2.1', 'mx.us.test')).toBeNull();
  expect(heloAnomaly('[192.0.2.9]', '192.0.2.1', 'mx.us.test')?.name).toBe('HELO_LITERAL_MISMATCH');
  expect(heloAnomaly('192.0.2.1', '192.0.2.1', 'mx.us.test')?.name).toBe('HELO_BARE_IP');
  expect(heloAnomaly('localhost', '192.0.2.1', 'mx.us.test')?.name).toBe('HELO_NOT_FQDN');
  expect(heloAnomaly('MX.US.TEST', '192.0.2.1', 'mx.us.test')?.name).toBe('HELO_IS_OURS');
});

describe('lookups against a DNS responder', () => {
  let dns: DnsServer;
  let resolve: Resolve;
  const input = (ip: string, extra: Partial<SpamInput> = {}): SpamInput => ({
    client: { ip, helo: 'mail.sender.test' },
    envelope: { from: 'a@sender.test', to: ['b@us.test'] },
    auth: { spf: 'none', dkim: 'none', dmarc: 'none', arc: 'none', dmarcPolicy: 'none' },
    headers: [],
    header: Buffer.alloc(0),
    size: 0,
    scanned: Buffer.from('visit https://www.bad-link.test/now'),
    read: async function* () {},
    signal: new AbortController().signal,
    ...extra,
  });

  beforeAll(async () => {
    dns = await startDnsServer();
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.address]);
    resolve = (name, rrtype) => resolver.resolve(name, rrtype) as Promise<unknown[]>;
    dns.table.a.set('2.0.0.127.bl.test', ['127.0.0.2']);
    dns.table.a.set('3.0.0.127.bl.test', ['127.255.255.254']);
    dns.table.a.set(`${reversedIp('2001:db8::5')}.bl.test`, ['127.0.0.10']);
    dns.table.a.set('bad-link.test.dbl.test', ['127.0.1.2']);
    dns.table.a.set('sender.test.dbl.test', ['127.0.0.1']);
  });
  afterAll(async () => {
    await dns.close();
  });

  test('listed IPv4 and IPv6 clients score; a refusal code and an unlisted client do not', async () => {
    const check = blocklistCheck(resolve, ['bl.test'], []);
    expect((await check.check(input('127.0.0.2'))).symbols).toMatchObject([{ name: 'DNSBL_IP', score: 6 }]);
    expect((await check.check(input('2001:db8::5'))).symbols).toMatchObject([{ name: 'DNSBL_IP' }]);
    expect((await check.check(input('127.0.0.3'))).symbols).toMatchObject([
      { name: 'DNSBL_FAILED', score: 0, description: expect.stringContaining('refused') },
    ]);
    expect((await check.check(input('127.0.0.4'))).symbols).toEqual([]);
  });

  test("domain lists: a listed link scores; URIBL's 127.0.0.1 refusal does not", async () => {
    const check = blocklistCheck(resolve, [], ['dbl.test']);
    const { symbols } = await check.check(input('127.0.0.4'));
    expect(symbols.map((s) => [s.name, s.score])).toEqual([
      ['DNSBL_FAILED', 0],
      ['DNSBL_DOMAIN', 6],
    ]);
    expect(symbols[1]?.description).toContain('bad-link.test');
  });

  test('domain lists are asked for the registrable domain, never for a public suffix', async () => {
    const asked: string[] = [];
    const spy: Resolve = (name, rrtype) => {
      asked.push(name);
      return resolve(name, rrtype);
    };
    dns.table.a.set('example.co.uk.dbl.test', ['127.0.1.2']);
    const check = blocklistCheck(spy, [], ['dbl.test']);
    const { symbols } = await check.check(
      input('127.0.0.4', {
        envelope: { from: 'a@mail.example.co.uk', to: ['b@us.test'] },
        scanned: Buffer.from('see https://www.shop.example.com.au/x and https://co.uk/'),
      }),
    );
    expect(asked.sort()).toEqual(['example.co.uk.dbl.test', 'example.com.au.dbl.test']);
    expect(symbols.map((s) => [s.name, s.description])).toEqual([
      ['DNSBL_DOMAIN', 'example.co.uk listed in dbl.test (127.0.1.2)'],
    ]);
  });

  test('a resolver that does not answer fails open', async () => {
    const silent = new Resolver({ timeout: 200, tries: 1 });
    silent.setServers(['127.0.0.1:9']);
    const dead: Resolve = (name, rrtype) => silent.resolve(name, rrtype) as Promise<unknown[]>;
    const { symbols } = await blocklistCheck(dead, ['bl.test'], []).check(input('127.0.0.2'));
    expect(symbols.map((s) => [s.name, s.score])).toEqual([['DNSBL_FAILED', 0]]);
    const client = await clientCheck(dead, 'mx.us.test').check(input('127.0.0.2'));
    expect(client.symbols.map((s) => s.name)).toEqual(['RDNS_FAILED']);
  });

  test('a client without a PTR record is RDNS_NONE', async () => {
    const { symbols } = await clientCheck(resolve, 'mx.us.test').check(input('127.0.0.2'));
    expect(symbols.map((s) => [s.name, s.score])).toEqual([['RDNS_NONE', 1]]);
  });
});
