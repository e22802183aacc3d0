import { describe, expect, test } from 'vitest';
import { Teardown } from './teardown.js';

describe('Teardown', () => {
  test('runs steps last-in first-out, once', async () => {
    const order: string[] = [];
    const teardown = new Teardown();
    teardown.defer(() => order.push('temp dir'));
    teardown.defer(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push('server');
    });
    await teardown.run();
    await teardown.run();
    expect(order).toEqual(['server', 'temp dir']);
  });

  test('disposes resources handed to use(), sync and async', async () => {
    const disposed: string[] = [];
    {
      await using teardown = new Teardown();
      const sync = teardown.use({ [Symbol.dispose]: () => void disposed.push('sync') });
      teardown.use({ [Symbol.asyncDispose]: async () => void disposed.push('async') });
      expect(sync).toBeTypeOf('object');
    }
    expect(disposed).toEqual(['async', 'sync']);
  });

  test('runs every step even when some fail, then throws them together', async () => {
    const ran: number[] = [];
    const teardown = new Teardown();
    teardown.defer(() => ran.push(1));
    teardown.defer(() => {
      throw new Error('first');
    });
    teardown.defer(() => {
      throw new Error('second');
    });
    const err = await teardown.run().catch((e: unknown) => e);
    expect(ran).toEqual([1]);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors).toHaveLength(2);
  });

  test('a single failure is thrown as itself', async () => {
    const teardown = new Teardown();
    teardown.defer(() => {
      throw new Error('only');
    });
    await expect(teardown.run()).rejects.toThrow('only');
  });
});
