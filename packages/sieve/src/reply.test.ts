import { expect, test } from 'vitest';
import type { VacationAction } from './actions.js';
import { message } from './fixtures.test-support.js';
import { RawMessage } from './raw-message.js';
import { buildVacationReply, encodeHeaderText } from './reply.js';

const action: VacationAction = {
  type: 'vacation',
  reason: 'I am away\nuntil Monday.',
  subject: null,
  from: null,
  addresses: [],
  mime: false,
  handle: 'h',
  seconds: 604_800,
};
const original = new RawMessage(
  message(
    [
      'From: alice@example.org',
      'To: bob@example.com',
      'Subject: lunch?',
      'Message-ID: <m1@example.org>',
      'References: <m0@example.org>',
    ],
    'x',
  ),
);
const envelope = { from: 'alice@example.org', to: 'bob@example.com' };
const now = new Date('2026-12-04T12:00:00Z');

test('RFC 5230 §5: null reverse-path, Auto-Submitted, Auto: subject, threading headers, text body', () => {
  const reply = buildVacationReply({ action, message: original, envelope, now, messageId: '<r1@example.com>' });
  expect(reply.envelopeFrom).toBe('');
  expect(reply.to).toBe('alice@example.org');
  expect(reply.raw.toString()).toBe(
    [
      'Date: Fri, 04 Dec 2026 12:00:00 +0000',
      'From: bob@example.com',
      'To: <alice@example.org>',
      'Subject: Auto: lunch?',
      'Message-ID: <r1@example.com>',
      'In-Reply-To: <m1@example.org>',
      'References: <m0@example.org> <m1@example.org>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'I am away',
      'until Monday.',
    ].join('\r\n'),
  );
});

test(':subject, :from and :mime are used as given; a non-ASCII subject is RFC 2047 encoded', () => {
  const mime: VacationAction = {
    ...action,
    subject: 'Abwesend – zurück am Montag',
    from: 'Bob <bob@example.com>',
    mime: true,
    reason: 'Content-Type: text/plain\n\nAway',
  };
  const text = buildVacationReply({
    action: mime,
    message: original,
    envelope,
    now,
    messageId: '<r2@x>',
  }).raw.toString();
  expect(text).toContain('From: Bob <bob@example.com>\r\n');
  expect(text).toContain(`Subject: ${encodeHeaderText('Abwesend – zurück am Montag')}\r\n`);
  expect(text.endsWith('MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nAway')).toBe(true);
  expect(Buffer.from(/B\?([^?]+)\?=/.exec(encodeHeaderText('zurück'))?.[1] ?? '', 'base64').toString()).toBe('zurück');
});

test('a subject already starting with Auto: is not prefixed again; no subject gives "Automated reply"', () => {
  const auto = new RawMessage(message(['From: a@b.c', 'Subject: Auto: out of office'], 'x'));
  const none = new RawMessage(message(['From: a@b.c'], 'x'));
  const subject = (m: RawMessage) =>
    /Subject: (.*)\r\n/.exec(
      buildVacationReply({ action, message: m, envelope, now, messageId: '<x@y>' }).raw.toString(),
    )?.[1];
  expect(subject(auto)).toBe('Auto: out of office');
  expect(subject(none)).toBe('Automated reply');
});
