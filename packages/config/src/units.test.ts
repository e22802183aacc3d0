import { describe, expect, test } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from './units.js';

describe('sizes', () => {
  test.each([
    ['1024', 1024],
    ['50MB', 52_428_800],
    ['50 mb', 52_428_800],
    ['5GiB', 5_368_709_120],
    ['1.5k', 1536],
    ['10G', 10_737_418_240],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each(['', 'MB', '5 XB', '1e3', 'five'])('%j is no size', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  test('prints the largest whole unit', () => {
    expect(formatSize(52_428_800)).toBe('50 MiB');
    expect(formatSize(1536)).toBe('1536 B');
    expect(formatSize(5 * 1024 ** 3)).toBe('5 GiB');
  });
});

describe('durations', () => {
  test.each([
    ['500', 500],
    ['30s', 30_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['5d', 432_000_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test('rejects unknown units and prints the largest whole unit', () => {
    expect(parseDuration('3 fortnights')).toBeUndefined();
    expect(formatDuration(1_800_000)).toBe('30 min');
    expect(formatDuration(86_400_000)).toBe('1 day');
    expect(formatDuration(1500)).toBe('1500 ms');
  });
});
