import { setTimeout as sleep } from 'node:timers/promises';
import { isCodeBug, TimeoutError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { deadline, withTimeout } from './timeout.js';

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('withTimeout', () => {
  test('resolves with the value and clears its timer', async () => {
    const before = activeTimers();
    await expect(withTimeout(sleep(5, 'done'), 60_000, 'quick')).resolves.toBe('done');
    expect(activeTimers()).toBe(before);
  });

  test('passes a rejection through and clears its timer', async () => {
    const before = activeTimers();
    await expect(withTimeout(Promise.reject(new Error('nope')), 60_000, 'failing')).rejects.toThrow('nope');
    expect(activeTimers()).toBe(before);
  });

  test('rejects with a TimeoutError naming the operation', async () => {
    const err = await withTimeout(sleep(1_000), 10, 'DATA').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ what: 'DATA', ms: 10, temporary: true });
    expect(isCodeBug(err)).toBe(false);
  });

  test('aborts the work it started, with the TimeoutError as reason', async () => {
    let seen: AbortSignal | undefined;
    const run = withTimeout(
      (signal) => {
        seen = signal;
        return sleep(1_000, undefined, { signal });
      },
      10,
      'mailbox open',
    );
    await expect(run).rejects.toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(TimeoutError);
  });

  test('a synchronous throw from the work function becomes a rejection', async () => {
    const run = withTimeout(
      () => {
        throw new RangeError('bad');
      },
      1000,
      'sync',
    );
    await expect(run).rejects.toBeInstanceOf(RangeError);
  });
});

describe('deadline', () => {
  test('aborts with a TimeoutError after the time is up', async () => {
    const signal = deadline(10, 'LOGIN');
    expect(signal.aborted).toBe(false);
    await sleep(30);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ what: 'LOGIN', ms: 10 });
  });
});
