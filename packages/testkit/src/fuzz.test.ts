import { describe, expect, test } from 'vitest';
import { createPrng, fuzzRun, mutate } from './fuzz.js';

describe('createPrng', () => {
  test('the same seed gives the same sequence, another seed another one', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const first = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(first);
    expect(createPrng(7).bytes(16)).toEqual(createPrng(7).bytes(16));
  });

  test('int, between and pick stay in range and reach every value', () => {
    const prng = createPrng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = prng.between(3, 9);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(9);
      seen.add(value);
      expect(prng.int(5)).toBeLessThan(5);
    }
    expect(seen.size).toBe(7);
    expect(['x', 'y']).toContain(prng.pick(['x', 'y']));
  });
});

describe('mutate', () => {
  test('changes its input in many different ways, deterministically per seed', () => {
    const message = Buffer.from(
      'Content-Type: multipart/mixed; boundary="b"\r\nSubject: hi\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b--\r\n',
    );
    const prng = createPrng(99);
    const outputs = Array.from({ length: 200 }, () =>
      mutate(message, prng, Buffer.from('other message')).toString('latin1'),
    );
    expect(new Set(outputs).size).toBeGreaterThan(150);
    expect(outputs.filter((out) => out === message.toString('latin1')).length).toBeLessThan(10);
    const again = createPrng(99);
    expect(mutate(message, again, Buffer.from('other message')).toString('latin1')).toBe(outputs[0]);
  });
});

describe('fuzzRun', () => {
  test('CI defaults unless FUZZ_SEED and FUZZ_COUNT are set', () => {
    const saved = { seed: process.env.FUZZ_SEED, count: process.env.FUZZ_COUNT };
    try {
      delete process.env.FUZZ_SEED;
      delete process.env.FUZZ_COUNT;
      expect(fuzzRun({ seed: 1, count: 10 })).toEqual({ seed: 1, count: 10 });
      process.env.FUZZ_SEED = '77';
      process.env.FUZZ_COUNT = '5000';
      expect(fuzzRun({ seed: 1, count: 10 })).toEqual({ seed: 77, count: 5000 });
      process.env.FUZZ_COUNT = 'many';
      expect(() => fuzzRun({ seed: 1, count: 10 })).toThrow(/FUZZ_COUNT/);
    } finally {
      for (const [name, value] of [
        ['FUZZ_SEED', saved.seed],
        ['FUZZ_COUNT', saved.count],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
