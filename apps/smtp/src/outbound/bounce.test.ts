import { describe, expect, test } from 'vitest';
import { buildBounce } from './bounce.js';

describe('RFC 3464 bounce', () => {
  test('multipart/report with delivery-status and the original headers only', () => {
    const original = Buffer.from('From: a@hosted.test\r\nSubject: hi\r\n\r\nsecret body\r\n');
    const bounce = buildBounce({
      hostname: 'mx.hosted.test',
      to: 'a@hosted.test',
      queueId: 'q1',
      arrivalDate: new Date(Date.UTC(2026, 0, 1)),
      failed: [
        {
          address: 'x@remote.test',
          status: 'failed',
          diagnostic: '550 5.1.1 no\r\nsuch user',
          statusCode: '5.1.1',
          remoteMta: 'mx.remote.test',
        },
      ],
      original,
    }).toString();
    const boundary = /boundary="([^"]+)"/.exec(bounce)?.[1];
    expect(boundary).toBeDefined();
    expect(bounce).toContain('Content-Type: multipart/report; report-type=delivery-status;');
    expect(bounce).toContain('Auto-Submitted: auto-replied');
    expect(bounce.split(`--${boundary}`)).toHaveLength(5);
    expect(bounce).toContain('Reporting-MTA: dns; mx.hosted.test\r\n');
    expect(bounce).toContain('Final-Recipient: rfc822; x@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n');
    expect(bounce).toContain('Remote-MTA: dns; mx.remote.test\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user');
    expect(bounce).toContain('Content-Type: text/rfc822-headers\r\n\r\nFrom: a@hosted.test\r\nSubject: hi\r\n');
    expect(bounce).not.toContain('secret body');
    expect(bounce.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });
});
