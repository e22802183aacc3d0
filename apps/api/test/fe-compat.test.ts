/**
 * Forward Email's documented curl examples, replayed with real curl against a private server
 * (fe-compat-replay.ts), checked against the compatibility table of docs/api.md: an example whose row says same,
 * alias or partly must succeed; one whose row says differs or not built must fail (else the table is wrong).
 */
import { readFileSync } from 'node:fs';
import { requireTool } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';
import { CASES, formatResults, replay } from './fe-compat-replay.js';
import { startReplayServer } from './fe-compat-server.js';

const SUPPORTED = new Set(['same', 'alias', 'partly']);
const UNSUPPORTED = new Set(['differs', 'not built']);

/** Endpoint -> status from the table's rows: | `METHOD /v1/…` | … | … | status |. */
function compatibilityTable(): Map<string, string> {
  const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Forward Email compatibility'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const match = /^\|\s*`([A-Z]+ \/v1\/[^`]*)`[^|]*\|.*\|\s*([a-z ]+?)\s*\|$/.exec(line);
    if (match?.[1] && match[2]) rows.set(match[1], match[2]);
  }
  return rows;
}

describe('Forward Email compatibility', () => {
  test('every replayed example has a row in the table, whose status is one of the five', () => {
    const table = compatibilityTable();
    expect(table.size).toBeGreaterThan(20);
    for (const item of CASES) expect(table.get(item.endpoint), item.endpoint).toBeDefined();
    for (const [endpoint, status] of table) {
      expect(SUPPORTED.has(status) || UNSUPPORTED.has(status), `${endpoint}: ${status}`).toBe(true);
    }
  });

  test('the documented curl examples succeed exactly where the table says they are supported', async () => {
    if (!requireTool('curl')) return;
    const table = compatibilityTable();
    const server = await startReplayServer();
    try {
      const results = await replay(server.target);
      console.log(formatResults(results));
      for (const result of results) {
        expect(result.skipped, result.endpoint).toBeUndefined();
        const status = table.get(result.endpoint) ?? '';
        expect(result.ok, `${result.endpoint} (${status}): ${result.status} ${result.reply ?? ''}`).toBe(
          SUPPORTED.has(status),
        );
      }
      expect(server.h.errors).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
