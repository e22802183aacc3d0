import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { basic, type Harness, startHarness } from './harness.js';

describe('HTTP errors', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({
      bodyLimitBytes: 4096,
      // The limits come from configuration, as in production.
      api: { rateLimitPerTokenPerMinute: 40, rateLimitPerIpPerMinute: 100 },
    });
    token = await h.signUp('errors@example.org');
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('a body over the limit is 413, declared or streamed', async () => {
    const huge = JSON.stringify({ name: 'x.example', description: 'x'.repeat(10_000) });
    const declared = await h.call('POST', '/v1/domains', {
      token,
      body: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ statusCode: 413, error: 'Request Entity Too Large' });
    // 64 MiB offered without Content-Length: the server must answer without reading it all.
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const chunks = 4096;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < chunks) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await fetch(`${h.base}/v1/domains`, {
      method: 'POST',
      headers: { authorization: basic(token), 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(chunks / 4);
  });

  test('malformed JSON is 400, a type other than JSON or a form 415', async () => {
    const bad = await h.call('POST', '/v1/domains', {
      token,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/not valid JSON/);
    const text = await h.call('POST', '/v1/domains', {
      token,
      body: 'name=x.example',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.message).toMatch(/application\/json, application\/x-www-form-urlencoded or multipart/);
  });

  test('wrong types name the field', async () => {
    const res = await h.call('POST', '/v1/domains', { token, json: { name: ['x.example'] } });
    expect(res).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request', field: 'name' } });
    await h.call('POST', '/v1/domains', { token, json: { name: 'typed.example' } });
    const nul = await h.call('PUT', '/v1/domains/typed.example', { token, json: null });
    expect(nul.status).toBe(400);
    expect(nul.body.field).toBe('body');
    const num = await h.call('PUT', '/v1/domains/typed.example', { token, json: { description: 5 } });
    expect(num.body.field).toBe('description');
  });

  test('unknown endpoints are JSON 404, wrong methods 405', async () => {
    const missing = await h.call('GET', '/v1/nothing', { token });
    expect(missing).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    const method = await h.call('PATCH', '/v1/domains', { token });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toContain('GET');
  });

  test('the per-token rate limit answers 429 with Retry-After', async () => {
    const fresh = (await h.call('POST', '/v1/tokens', { token, json: { name: 'burst' } })).body.secret as string;
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await h.call('GET', '/v1/account', { token: fresh })).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await h.call('GET', '/v1/account', { token: fresh });
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('the per-address rate limit applies without a token too', async () => {
    let last = 0;
    for (let i = 0; i < 110 && last !== 429; i++) last = (await h.call('GET', '/v1/openapi.json')).status;
    expect(last).toBe(429);
  });
});
