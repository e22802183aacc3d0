import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { type DnsServer, startDnsServer } from '@mailyard/testkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { cachedResolve } from './dns.js';

let dns: DnsServer;
beforeEach(async () => {
  dns = await startDnsServer();
});
afterEach(() => dns.close());

/** A real resolver asking `server`, counting the questions it sends. */
function countingResolver(server: string, timeoutMs = 2000) {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  const asked = { n: 0 };
  const resolve = (name: string, rrtype: string) => {
    asked.n += 1;
    return resolver.resolve(name, rrtype) as Promise<string[][]>;
  };
  return { resolve, asked };
}

test('an answer is asked once for concurrent and later askers, and asked again after the time it is kept', async () => {
  dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.0/8 -all']]);
  const { resolve, asked } = countingResolver(dns.address);
  let now = 0;
  const lookup = cachedResolve(resolve, { ttlMs: 30_000, now: () => now });
  const answers = await Promise.all(Array.from({ length: 5 }, () => lookup('sender.test', 'TXT')));
  for (const a of answers) expect(a).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
  (answers[0] as string[][]).push(['changed by a caller']);
  expect(await lookup('SENDER.test', 'TXT')).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
  expect(asked.n).toBe(1);
  dns.table.txt.set('sender.test', [['v=spf1 -all']]);
  now += 29_999;
  expect(await lookup('sender.test', 'TXT')).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
  now += 1;
  expect(await lookup('sender.test', 'TXT')).toEqual([['v=spf1 -all']]);
  expect(asked.n).toBe(2);
});

test('"no such record" is kept too; a failure to get an answer is not', async () => {
  const { resolve, asked } = countingResolver(dns.address);
  let now = 0;
  const lookup = cachedResolve(resolve, { ttlMs: 30_000, now: () => now });
  await expect(lookup('_dmarc.sender.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  dns.table.txt.set('_dmarc.sender.test', [['v=DMARC1; p=none']]);
  await expect(lookup('_dmarc.sender.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  expect(asked.n).toBe(1);
  now += 30_000;
  expect(await lookup('_dmarc.sender.test', 'TXT')).toEqual([['v=DMARC1; p=none']]);
  expect(asked.n).toBe(2);

  // A server that never answers: the timeout is not an answer, the next asker asks again.
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  try {
    const dead = countingResolver(`127.0.0.1:${silent.address().port}`, 200);
    const failing = cachedResolve(dead.resolve);
    await expect(failing('sender.test', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    await expect(failing('sender.test', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(dead.asked.n).toBe(2);
  } finally {
    silent.close();
  }
});

test('at most `entries` answers are kept, the oldest going first', async () => {
  dns.table.txt.set('a.test', [['a']]);
  dns.table.txt.set('b.test', [['b']]);
  dns.table.txt.set('c.test', [['c']]);
  const { resolve, asked } = countingResolver(dns.address);
  const lookup = cachedResolve(resolve, { entries: 2 });
  for (const name of ['a.test', 'b.test', 'c.test', 'c.test', 'b.test']) await lookup(name, 'TXT');
  expect(asked.n).toBe(3);
  await lookup('a.test', 'TXT');
  expect(asked.n).toBe(4);
});
