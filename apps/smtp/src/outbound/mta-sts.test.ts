import { describe, expect, test } from 'vitest';
import { mxMatchesPolicy } from './mta-sts.js';

describe('MTA-STS MX matching (RFC 8461 §4.1)', () => {
  const policy = { mode: 'enforce' as const, mx: ['mail.example.test', '*.mx.example.test'] };
  test.each([
    ['mail.example.test', true],
    ['MAIL.example.test.', true],
    ['a.mx.example.test', true],
    ['mx.example.test', false],
    ['a.b.mx.example.test', false],
    ['evil.test', false],
  ])('%s', (host, expected) => {
    expect(mxMatchesPolicy(host, policy)).toBe(expected);
  });
});
