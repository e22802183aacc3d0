// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
import { describe, expect, test } from 'vitest';
import { checkScript } from './engine.js';
import { message, run, summary } from './fixtures.test-support.js';
import { DEFAULT_LIMITS } from './limits.js';

describe('limits: each one stops a run with a runtime error and implicit keep alone (RFC 5228 §2.10.6)', () => {
  test('actions', () => {
    const script = `require "fileinto"; ${Array.from({ length: 40 }, (_, i) => `fileinto "F${i}";`).join(' ')}`;
    const outcome = run(script);
    expect(outcome.error?.message).toMatch(/more than 32 actions/);
    expect(summary(outcome)).toEqual(['implicit-keep']);
    expect(run(script, message(), {}, { maxActions: 64 }).error).toBeNull();
  });

  test('redirects', () => {
    const script = Array.from({ length: 5 }, (_, i) => `redirect "u${i}@example.net";`).join(' ');
    expect(run(script).error?.message).toBe('line 1, column 109: more than 4 redirects');
    expect(summary(run(script, message(), {}, { maxRedirects: 5 }))).toHaveLength(5);
  });

  test('steps: a :matches that backtracks over a long header (O(n·m), bounded by the step count)', () => {
    const raw = message(['From: a@b.c', `Subject: ${'a'.repeat(10_000)}`], 'x');
    const script = `if header :matches "subject" "*${'a'.repeat(30)}b" { discard; }`;
    const outcome = run(script, raw);
    expect(outcome.error?.message).toMatch(/^line 1, column 4: more than 100000 steps$/);
    expect(summary(outcome)).toEqual(['implicit-keep']);
    expect(outcome.steps).toBe(DEFAULT_LIMITS.maxSteps + 1);
  });

  test('steps: many tests over many values', () => {
    const values = Array.from({ length: 100 }, (_, i) => `"v${i}"`).join(', ');
    const script = `if header :contains ["subject", "from", "to"] [${values}] { discard; }`.repeat(20);
    expect(run(script).error).toBeNull();
    expect(run(script, message(), {}, { maxSteps: 1_000 }).error?.message).toMatch(/more than 1000 steps/);
  });

  test('include depth and include count', () => {
    const chain = (n: number) => `require "include"; include "s${n + 1}";`;
    const resolveScript = (name: string) => (name.startsWith('s') ? chain(Number(name.slice(1))) : null);
    expect(run(chain(0), message(), { resolveScript }).error?.message).toMatch(/includes nested deeper than 5/);
    const many = `require "include"; ${'include "leaf";'.repeat(20)}`;
    const leaf = () => 'keep;';
    expect(run(many, message(), { resolveScript: leaf }).error?.message).toMatch(/more than 16 includes/);
  });

  test('string size after expansion is truncated (RFC 5229 §3), never grown without bound', () => {
    const script = `require ["variables", "vacation"]; set "a" "0123456789";
${Array.from({ length: 20 }, () => 'set "a" "${a}${a}";').join('\n')}
vacation "\${a}";`;
    const outcome = run(script);
    expect(outcome.error).toBeNull();
    const vacation = outcome.actions.find((a) => a.type === 'vacation');
    expect(vacation && 'reason' in vacation ? vacation.reason.length : 0).toBe(DEFAULT_LIMITS.maxStringLength);
  });

  test('number of variables', () => {
    const script = `require "variables"; ${Array.from({ length: 300 }, (_, i) => `set "v${i}" "x";`).join(' ')}`;
    expect(run(script).error?.message).toMatch(/more than 256 variables/);
  });

  test('regex length: a long constant pattern is refused at validation', () => {
    const pattern = 'a'.repeat(2000);
    expect(checkScript(`require "regex"; if header :regex "s" "${pattern}" {}`)?.message).toMatch(
      /line 1, column 39: regex is 2000 characters, over 1024/,
    );
  });

  test('body length: a body test reads at most maxBodyLength characters', () => {
    const raw = message(['From: a@b.c'], `${'x'.repeat(2000)}NEEDLE`);
    const script = 'require "body"; if body :raw :contains "NEEDLE" { discard; }';
    expect(summary(run(script, raw))).toEqual(['discard']);
    expect(summary(run(script, raw, {}, { maxBodyLength: 1000 }))).toEqual(['implicit-keep']);
  });

  test('every default has a positive value', () => {
    for (const [name, value] of Object.entries(DEFAULT_LIMITS)) expect(value, name).toBeGreaterThan(0);
  });
});
