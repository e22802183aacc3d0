import { describe, expect, test } from 'vitest';
import { isNonPublicAddress, isWebhookUrl, normalizeWebhookUrl, webhookUrlRefusal } from './webhook-urls.js';

describe('webhook URLs', () => {
  test.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['not an ip', true],
    ['93.184.216.34', false],
    ['2606:2800:220:1:248:1893:25c8:1946', false],
    ['::ffff:93.184.216.34', false],
  ])('%s is non-public: %s', (ip, expected) => {
    expect(isNonPublicAddress(ip)).toBe(expected);
  });

  test('configuring: https to public names and addresses only, unless private targets are allowed', () => {
    expect(webhookUrlRefusal('https://hooks.example.com/in', false)).toBeNull();
    expect(webhookUrlRefusal('https://93.184.216.34/in', false)).toBeNull();
    expect(webhookUrlRefusal('http://hooks.example.com/in', false)).toContain('https');
    expect(webhookUrlRefusal('https://127.0.0.1/in', false)).toContain('private or loopback');
    expect(webhookUrlRefusal('https://[::1]:8443/in', false)).toContain('private or loopback');
    expect(webhookUrlRefusal('https://10.0.0.5/in', false)).toContain('private or loopback');
    expect(webhookUrlRefusal('https://LOCALHOST/in', false)).toContain('this server');
    expect(webhookUrlRefusal('https://user:pw@hooks.example.com/', false)).toContain('without user name');
    expect(webhookUrlRefusal('ftp://hooks.example.com/', false)).not.toBeNull();
    expect(webhookUrlRefusal('http://127.0.0.1:8080/hook', true)).toBeNull();
  });

  test('recognising and normalising', () => {
    expect(isWebhookUrl('HTTPS://x.example/')).toBe(true);
    expect(isWebhookUrl('me@example.com')).toBe(false);
    expect(normalizeWebhookUrl(' https://X.Example/a b ')).toBe('https://x.example/a%20b');
    expect(normalizeWebhookUrl('https://')).toBeNull();
  });
});
