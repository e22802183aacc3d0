/**
 * GET /v1/logs and /v1/logs/download over a real control store: the account's domains only, newest first, filters
 * (domain, event, time), paging headers, CSV (RFC 4180 quoting) and JSON files; another account's domain is 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { basic, type Harness, startHarness } from './harness.js';

describe('mail log over the API', () => {
  let h: Harness;
  let token: string;
  let other: string;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp('owner@log.example');
    other = await h.signUp('other@else.example');
    await h.call('POST', '/v1/domains', { token, json: { name: 'log.example', verified: true } });
    await h.call('POST', '/v1/domains', { token, json: { name: 'log2.example', verified: true } });
    await h.call('POST', '/v1/domains', { token: other, json: { name: 'else.example' } });
    const id = async (name: string) => (await h.control.findDomainByName(name))?.id ?? '';
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    await h.control.recordMailEvents([
      {
        domainId: await id('log.example'),
        direction: 'inbound',
        event: 'delivered',
        sender: 'sam@sender.example',
        recipient: 'me@log.example',
        at: at(30),
      },
      {
        domainId: await id('log.example'),
        direction: 'inbound',
        event: 'rejected',
        sender: 'spam@sender.example',
        recipient: 'nobody@log.example',
        response: '550 5.1.1 No such user, "really"',
        at: at(20),
      },
      {
        domainId: await id('log2.example'),
        direction: 'outbound',
        event: 'bounced',
        sender: 'me@log2.example',
        recipient: 'gone@far.example',
        response: '550 5.1.1 gone',
        messageId: 'q1',
        at: at(10),
      },
      {
        domainId: await id('else.example'),
        direction: 'outbound',
        event: 'delivered',
        sender: 'x@else.example',
        recipient: 'y@far.example',
        at: at(5),
      },
    ]);
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('lists the account’s own entries newest first, filters, pages', async () => {
    const all = await h.call('GET', '/v1/logs', { token });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-item-count')).toBe('3');
    expect(all.body.map((e: { event: string; domain: string }) => `${e.domain} ${e.event}`)).toEqual([
      'log2.example bounced',
      'log.example rejected',
      'log.example delivered',
    ]);
    expect(all.body[0]).toMatchObject({ direction: 'outbound', message_id: 'q1', response: '550 5.1.1 gone' });
    const rejected = await h.call('GET', '/v1/logs?event=rejected', { token });
    expect(rejected.body.map((e: { recipient: string }) => e.recipient)).toEqual(['nobody@log.example']);
    const one = await h.call('GET', '/v1/logs?domain=log2.example', { token });
    expect(one.body).toHaveLength(1);
    const recent = await h.call('GET', `/v1/logs?since=${new Date(Date.now() - 15 * 60_000).toISOString()}`, { token });
    expect(recent.body).toHaveLength(1);
    const paged = await h.call('GET', '/v1/logs?limit=1&page=2', { token });
    expect(paged.body[0].event).toBe('rejected');
    expect(paged.headers.get('x-page-count')).toBe('3');
  });

  test('another account sees only its own, and not a foreign domain', async () => {
    const theirs = await h.call('GET', '/v1/logs', { token: other });
    expect(theirs.body.map((e: { domain: string }) => e.domain)).toEqual(['else.example']);
    expect((await h.call('GET', '/v1/logs?domain=log.example', { token: other })).status).toBe(404);
    expect((await h.call('GET', '/v1/logs')).status).toBe(401);
    expect((await h.call('GET', '/v1/logs?event=opened', { token })).status).toBe(400);
  });

  test('downloads as CSV (quoted where needed) and as JSON', async () => {
    const res = await fetch(`${h.base}/v1/logs/download?domain=log.example`, {
      headers: { authorization: basic(token) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('mail-log.csv');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,domain,direction,event,sender,recipient,response,message_id');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',log.example,inbound,rejected,spam@sender.example,nobody@log.example,');
    expect(lines[1]).toContain('"550 5.1.1 No such user, ""really"""');
    const json = await fetch(`${h.base}/v1/logs/download?format=json`, { headers: { authorization: basic(token) } });
    expect(json.headers.get('content-type')).toContain('application/json');
    const parsed = JSON.parse(await json.text());
    expect(parsed.map((e: { event: string }) => e.event)).toEqual(['bounced', 'rejected', 'delivered']);
  });
});
