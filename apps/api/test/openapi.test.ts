import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('lists exactly the routes the router serves', async () => {
    const res = await h.call('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} /v1${path}`);
    }
    const served = new Set<string>();
    for (const layer of h.api.router.stack) {
      const path = String(layer.path).replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') served.add(`${method} ${path}`);
    }
    expect(served.size).toBeGreaterThan(15);
    expect([...served].sort()).toEqual([...documented].sort());
  });

  test('request bodies carry the zod schemas as JSON Schema', async () => {
    const { body } = await h.call('GET', '/v1/openapi.json');
    const schema = body.paths['/domains/{domain}/aliases'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['name']);
    expect(schema.properties.has_imap.type).toBe('boolean');
    expect(schema.additionalProperties).toBe(false);
  });
});
