import { describe, expect, test } from 'vitest';
import { ConnectionCounter } from './connection-counter.js';

describe('ConnectionCounter', () => {
  test('admits up to maxPerKey per key, then refuses', () => {
    const counter = new ConnectionCounter(2);
    const a1 = counter.acquire('10.0.0.1');
    const a2 = counter.acquire('10.0.0.1');
    expect(a1).toBeTypeOf('function');
    expect(a2).toBeTypeOf('function');
    expect(counter.acquire('10.0.0.1')).toBeNull();
    expect(counter.count('10.0.0.1')).toBe(2);
    expect(counter.acquire('10.0.0.2')).toBeTypeOf('function');
  });

  test('release is idempotent and frees a slot; idle keys are dropped', () => {
    const counter = new ConnectionCounter(1);
    const release = counter.acquire('user');
    expect(counter.acquire('user')).toBeNull();
    release?.();
    release?.();
    expect(counter.count('user')).toBe(0);
    expect(counter.size).toBe(0);
    const again = counter.acquire('user');
    expect(again).toBeTypeOf('function');
    expect(counter.count('user')).toBe(1);
  });

  test('a double release cannot free another connection slot', () => {
    const counter = new ConnectionCounter(2);
    const first = counter.acquire('k');
    counter.acquire('k');
    first?.();
    first?.();
    expect(counter.count('k')).toBe(1);
  });
});
