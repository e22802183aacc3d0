// Test helpers: build a message from header lines and a body, compile and run a script against it.

import type { SieveAction, SieveOutcome } from './actions.js';
import { compileScript, runScript } from './engine.js';
import type { SieveLimits } from './limits.js';
import type { SieveContext } from './message.js';
import { RawMessage } from './raw-message.js';

export const SAMPLE_HEADERS = [
  'Return-Path: <alice+lists@example.org>',
  'Received: from mx.example.org by mail.example.com; Thu, 3 Dec 2026 10:00:00 +0100',
  'Date: Fri, 4 Dec 2026 09:30:15 +0100',
  'From: "Alice Example" <alice+lists@Example.ORG>',
  'To: Bob <bob@example.com>, carol@example.net',
  'Cc: undisclosed-recipients:;',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  'Message-ID: <abc123@example.org>',
  'X-Spam-Score: 12',
  'X-Priority: 3',
  'X-Priority: 1',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
];

export function message(
  headers: string[] = SAMPLE_HEADERS,
  body = 'Hello Bob,\r\nthe meeting is at noon.\r\n',
): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

/** multipart/mixed: quoted-printable UTF-8 text, an HTML part and a base64 PDF. */
export const MULTIPART = message(
  [
    'From: "Dan" <dan@example.net>',
    'To: bob@example.com',
    'Subject: Invoice 42',
    'Date: Mon, 30 Nov 2026 23:10:00 -0800',
    'Message-ID: <m2@example.net>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XX"',
  ],
  [
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=C3=A9 au lait',
    '--XX',
    'Content-Type: text/html',
    '',
    '<p>invoice attached</p>',
    '--XX',
    'Content-Type: application/pdf',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0xLjQK',
    '--XX--',
    '',
  ].join('\r\n'),
);

/** A mailing-list message with a forwarded address and list headers. */
export const LIST_MAIL = message(
  [
    'Date: Tue, 1 Dec 2026 07:05:09 +0000',
    'From: acme-users-owner@lists.example.org',
    'Sender: owner-acme-users@lists.example.org',
    'To: acme-users@lists.example.org',
    'Subject: Re: [acme-users] Build fails on ARM',
    'List-Id: ACME users <acme-users.lists.example.org>',
    'Precedence: list',
    'Message-ID: <list-1@lists.example.org>',
    'X-Spam-Score: 3',
  ],
  'See the log below.\r\n-- \r\nunsubscribe: acme-users-request@lists.example.org\r\n',
);

/** Encoded words in the header and a Latin-1 quoted-printable body. */
export const ENCODED = message(
  [
    'From: =?iso-8859-1?q?Jo=EB_M=FCller?= <joe@example.de>',
    'To: bob@example.com',
    'Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=',
    'Date: Wed, 2 Dec 2026 18:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
  ],
  'Viele Gr=FC=DFe aus K=F6ln\r\n',
);

export const CONTEXT: SieveContext = {
  envelope: { from: 'alice+lists@example.org', to: 'bob+sieve@example.com' },
  now: new Date('2026-12-04T12:00:00Z'),
};

export function run(
  script: string,
  raw: Buffer = message(),
  context: Partial<SieveContext> = {},
  limits: Partial<SieveLimits> = {},
): SieveOutcome {
  return runScript(compileScript(script, limits), new RawMessage(raw), { ...CONTEXT, ...context }, limits);
}

/** A compact, comparable view of the actions: "keep", "implicit-keep", "fileinto:Folder", "redirect:a@b" ... */
export function summary(outcome: SieveOutcome): string[] {
  return outcome.actions.map(describe);
}

function describe(action: SieveAction): string {
  const flags = 'flags' in action && action.flags.length > 0 ? `[${action.flags.join(' ')}]` : '';
  switch (action.type) {
    case 'keep':
      return `${action.implicit ? 'implicit-keep' : 'keep'}${flags}`;
    case 'fileinto':
      return `fileinto${action.copy ? '+copy' : ''}${action.create ? '+create' : ''}:${action.mailbox}${flags}`;
    case 'redirect':
      return `redirect${action.copy ? '+copy' : ''}:${action.address}`;
    case 'discard':
      return 'discard';
    case 'reject':
      return `${action.extended ? 'ereject' : 'reject'}:${action.reason}`;
    default:
      return `vacation:${action.seconds}`;
  }
}
