import { describe, expect, test } from 'vitest';
import { authservId, withoutForgedResults } from './auth-results.js';

describe('Authentication-Results (RFC 8601)', () => {
  test.each([
    ['mx.hosted.test; spf=pass', 'mx.hosted.test'],
    ['MX.Hosted.Test 1; dkim=pass', 'mx.hosted.test'],
    ['(comment) mx.hosted.test (another); none', 'mx.hosted.test'],
    ['"mx.hosted.test"; none', 'mx.hosted.test'],
    ['mx.hosted.test', 'mx.hosted.test'],
    ['other.example; spf=pass smtp.mailfrom=mx.hosted.test', 'other.example'],
  ])('authserv-id of %j', (value, expected) => {
    expect(authservId(value)).toBe(expected);
  });

  test('removes only fields that claim our authserv-id, folded lines included, and keeps every other byte', () => {
    const header = Buffer.from(
      'Authentication-Results: MX.HOSTED.TEST;\r\n\tdkim=pass header.d=bank.test\r\n' +
        'From: a@b.test\r\n' +
        'Authentication-Results: relay.example; spf=pass\r\n' +
        'authentication-results : mx.hosted.test 1; dmarc=pass\r\n' +
        'ARC-Authentication-Results: i=1; mx.hosted.test; spf=pass\r\n' +
        'Subject: x\r\n\r\n',
    );
    expect(withoutForgedResults(header, 'mx.hosted.test').toString()).toBe(
      'From: a@b.test\r\n' +
        'Authentication-Results: relay.example; spf=pass\r\n' +
        'ARC-Authentication-Results: i=1; mx.hosted.test; spf=pass\r\n' +
        'Subject: x\r\n\r\n',
    );
    const clean = Buffer.from('From: a@b.test\r\n\r\n');
    expect(withoutForgedResults(clean, 'mx.hosted.test')).toBe(clean);
  });
});
