import { splitHeaderFields } from '@mailyard/mail';
import { expect, test } from 'vitest';
import { authCheck } from './auth-check.js';
import { contentCheck, GTUBE, headerAnomalies } from './content-check.js';
import { matches, senderListSymbols } from './sender-lists.js';
import type { SpamInput } from './verdict.js';

function fields(text: string) {
  const raw = Buffer.from(text);
  return splitHeaderFields(raw, 0, raw.length);
}

const complete =
  'From: Ann <ann@example.org>\r\nTo: b@us.test\r\nSubject: Lunch\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n';

test('a complete header block has no anomalies; missing and odd fields are named', () => {
  expect(headerAnomalies(fields(complete))).toEqual([]);
  const names = (text: string) => headerAnomalies(fields(text), Date.parse('2026-03-02T10:00:00Z')).map((s) => s.name);
  expect(names('To: b@us.test\r\n')).toEqual(['MISSING_FROM', 'MISSING_MESSAGE_ID', 'MISSING_SUBJECT', 'MISSING_DATE']);
  expect(names(`${complete}From: x@y.test\r\n`)).toContain('MULTIPLE_FROM');
  expect(names(complete.replace('Lunch', 'WIN A FREE CRUISE NOW'))).toEqual(['SUBJECT_ALL_CAPS']);
  expect(names(complete.replace('2026', '2027'))).toEqual(['DATE_IN_FUTURE']);
  expect(names(complete.replace('Mon, 2 Mar 2026 10:00:00 +0000', 'yesterday'))).toEqual(['INVALID_DATE']);
  expect(names(complete.replace('Ann <', '"service@paypal.com" <'))).toEqual(['FROM_NAME_OTHER_ADDRESS']);
  expect(names(complete.replace('Ann <', '"ann@example.org" <'))).toEqual([]);
});

const base: SpamInput = {
  client: { ip: '192.0.2.1', helo: 'mail.example.org' },
  envelope: { from: 'ann@example.org', to: ['b@us.test'] },
  auth: { spf: 'pass', dkim: 'pass', dmarc: 'pass', arc: 'none', dmarcPolicy: 'reject' },
  headers: fields(complete),
  header: Buffer.from(`${complete}\r\n`),
  size: 0,
  scanned: Buffer.from(`${complete}\r\nhello`),
  read: async function* () {},
  signal: new AbortController().signal,
};

test('GTUBE anywhere in the scanned message is 1000; an unscanned message is marked and not read', async () => {
  const gtube = await contentCheck.check({ ...base, scanned: Buffer.from(`${complete}\r\nx ${GTUBE} y`) });
  expect(gtube.symbols).toMatchObject([{ name: 'GTUBE', score: 1000 }]);
  expect((await contentCheck.check(base)).symbols).toEqual([]);
  const unscanned = await contentCheck.check({ ...base, scanned: null });
  expect(unscanned.symbols).toMatchObject([{ name: 'CONTENT_NOT_SCANNED', score: 0 }]);
});

test('authentication: passes are hammy; DMARC quarantine insists on Junk; p=none weighs less', async () => {
  expect((await authCheck.check(base)).symbols.map((s) => s.name)).toEqual(['DKIM_PASS', 'DMARC_PASS']);
  const auth = { spf: 'fail', dkim: 'fail', dmarc: 'fail', arc: 'fail', dmarcPolicy: 'quarantine' };
  const quarantined = await authCheck.check({ ...base, auth });
  expect(quarantined.action).toBe('junk');
  expect(quarantined.symbols.map((s) => [s.name, s.score])).toEqual([
    ['SPF_FAIL', 2],
    ['DKIM_FAIL', 1.5],
    ['ARC_FAIL', 1],
    ['DMARC_FAIL', 2],
    ['DMARC_POLICY_QUARANTINE', 0],
  ]);
  const monitored = await authCheck.check({ ...base, auth: { ...auth, dmarcPolicy: 'none' } });
  expect(monitored.action).toBeUndefined();
  expect(monitored.symbols.find((s) => s.name === 'DMARC_FAIL')?.score).toBe(1);
});

test('sender lists: addresses exactly, domains with subdomains; allow is ignored when DMARC failed', () => {
  expect(matches('ann@example.org', 'ann@example.org')).toBe(true);
  expect(matches('example.org', 'x@mail.example.org')).toBe(true);
  expect(matches('example.org', 'x@badexample.org')).toBe(false);
  // An entry under a public suffix covers its subdomains, not its neighbours under the same suffix.
  expect(matches('example.co.uk', 'x@mail.example.co.uk')).toBe(true);
  expect(matches('example.co.uk', 'x@other.co.uk')).toBe(false);
  expect(matches('mail.example.co.uk', 'x@example.co.uk')).toBe(false);
  const headers = fields('From: "Ann" <Ann@Partner.test>\r\n');
  const settings = { allow: ['partner.test'], block: ['spam.test'] };
  expect(senderListSymbols(settings, 'bounce@list.test', headers, false).map((s) => s.name)).toEqual([
    'SENDER_ALLOWED',
  ]);
  expect(senderListSymbols(settings, 'bounce@list.test', headers, true)).toEqual([]);
  expect(senderListSymbols(settings, 'x@mail.spam.test', headers, true).map((s) => s.name)).toEqual(['SENDER_BLOCKED']);
});
