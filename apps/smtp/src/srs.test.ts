import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createSrs, SRS_MAX_AGE_DAYS } from './srs.js';

const DAY = 86_400_000;

describe('SRS0', () => {
  const key = randomBytes(32);

  test('rewrites into the SRS0 form and reverses to the original sender', () => {
    const srs = createSrs(key, () => Date.UTC(2026, 10, 29));
    const rewritten = srs.forward('Sam.Smith@Sender.Test', 'hosted.test');
    expect(rewritten).toMatch(/^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=Sender\.Test=Sam\.Smith@hosted\.test$/);
    expect(srs.reverse(rewritten.split('@')[0] ?? '')).toBe('Sam.Smith@Sender.Test');
    expect(srs.reverse((rewritten.split('@')[0] ?? '').toLowerCase())).toBe('sam.smith@sender.test');
  });

  test('keeps the null sender null', () => {
    expect(createSrs(key).forward('', 'hosted.test')).toBe('');
  });

  test.each([
    ['a forged hash', (local: string) => local.replace(/^SRS0=..../, 'SRS0=AAAA')],
    [
      'another key',
      (local: string) => createSrs(randomBytes(32)).forward('sam@sender.test', 'x.test').split('@')[0] ?? local,
    ],
    ['not SRS at all', () => 'alice'],
    ['a changed original', (local: string) => local.replace('=sam', '=eve')],
  ])('refuses %s', (_name, mangle) => {
    const srs = createSrs(key);
    const local = srs.forward('sam@sender.test', 'hosted.test').split('@')[0] ?? '';
    expect(srs.reverse(mangle(local))).toBeNull();
  });

  test(`expires after ${SRS_MAX_AGE_DAYS} days`, () => {
    let now = Date.UTC(2026, 0, 1);
    const srs = createSrs(key, () => now);
    const local = srs.forward('sam@sender.test', 'hosted.test').split('@')[0] ?? '';
    now += SRS_MAX_AGE_DAYS * DAY;
    expect(srs.reverse(local)).toBe('sam@sender.test');
    now += DAY;
    expect(srs.reverse(local)).toBeNull();
  });
});
