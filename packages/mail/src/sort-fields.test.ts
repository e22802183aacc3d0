import { describe, expect, test } from 'vitest';
import { subjectInfo } from './base-subject.js';
import { crlf } from './fixtures.test-support.js';
import { asciiCasemap, sortFields } from './sort-fields.js';

describe('subjectInfo reply/forward mark (RFC 5256 §2.1)', () => {
  test.each([
    ['Re: hello', 'hello', true],
    ['Fwd: hello', 'hello', true],
    ['hello (fwd)', 'hello', true],
    ['[fwd: hello]', 'hello', true],
    ['[list] hello', 'hello', false],
    ['  hello  ', 'hello', false],
    ['hello', 'hello', false],
  ])('%j -> %j, reply %s', (subject, base, reply) => {
    expect(subjectInfo(subject)).toEqual({ base, replyOrForward: reply });
  });
});

describe('sortFields', () => {
  test('RFC 5256 SORT keys: base subject and addr-mailbox, i;ascii-casemap', () => {
    const f = sortFields(
      crlf(
        'From: "Zed Person" <zed@example.org>\nTo: Bob <bob@b.example>, carol@c.example\nCc: undisclosed:;\n' +
          'Subject: Re: [list] Café time\nMessage-ID: <m1@x>\nReferences: <r1@x>\n <r2@x>\nIn-Reply-To: <r2@x>\n\nbody\n',
      ),
    );
    expect(f).toEqual({
      subject: 'CAFé TIME',
      replyOrForward: true,
      from: 'ZED',
      to: 'BOB',
      cc: 'UNDISCLOSED',
      displayFrom: 'ZED PERSON',
      displayTo: 'BOB',
      messageId: '<m1@x>',
      references: ['<r1@x>', '<r2@x>'],
    });
  });

  test('RFC 5957 §3: encoded display names are decoded; no name falls back to the addr-spec', () => {
    const f = sortFields(crlf('From: =?UTF-8?Q?=C3=A9mile?= <e@x>\nTo: plain@example.org\n\n'));
    expect(f.displayFrom).toBe('éMILE');
    expect(f.displayTo).toBe('PLAIN@EXAMPLE.ORG');
  });

  test('In-Reply-To is the reference when there is no References field; no header at all gives empty keys', () => {
    expect(sortFields(crlf('In-Reply-To: <p@x> (comment) <q@x>\n\n')).references).toEqual(['<p@x>']);
    expect(sortFields(crlf('\nbody only\n'))).toEqual({
      subject: '',
      replyOrForward: false,
      from: '',
      to: '',
      cc: '',
      displayFrom: '',
      displayTo: '',
      messageId: null,
      references: [],
    });
  });

  test('asciiCasemap changes ASCII letters only, so "_" sorts after "Z" as i;ascii-casemap says', () => {
    expect(asciiCasemap('abc_xyzäö')).toBe('ABC_XYZäö');
    expect(asciiCasemap('z') < asciiCasemap('_')).toBe(true);
  });
});
