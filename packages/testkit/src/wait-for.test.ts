import { describe, expect, test } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  test('resolves with the first truthy value', async () => {
    const start = Date.now();
    const value = await waitFor(() => (Date.now() - start > 30 ? 'ready' : undefined), 2_000);
    expect(value).toBe('ready');
  });

  test('keeps polling through a throwing predicate', async () => {
    let calls = 0;
    const value = await waitFor(async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return calls;
    });
    expect(value).toBe(3);
  });

  test('rejects after the timeout, keeping the last error as cause', async () => {
    const err = await waitFor(() => {
      throw new Error('still broken');
    }, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/within 50 ms/);
    expect((err as Error).cause).toMatchObject({ message: 'still broken' });
  });
});
