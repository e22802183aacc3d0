// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
import { describe, expect, test } from 'vitest';
import { compileScript, runScript } from './engine.js';
import { CONTEXT, message, run, summary } from './fixtures.test-support.js';
import { RawMessage } from './raw-message.js';

const F = 'require ["fileinto", "copy", "reject", "ereject", "vacation", "envelope", "imap4flags"];\n';

describe('RFC 5228 base: tests (the sample message is in fixtures.test-support.ts)', () => {
  test.each([
    ['header :is "subject" "[acme-users] [fwd] version 1.0 is out"', true],
    ['header :is "Subject" "[ACME-USERS] [FWD] VERSION 1.0 IS OUT"', true],
    ['header :is :comparator "i;octet" "subject" "[ACME-USERS] [FWD] VERSION 1.0 IS OUT"', false],
    ['header :contains "subject" "version"', true],
    ['header :contains ["x-none", "subject"] ["nope", "fwd"]', true],
    ['header :contains "subject" ""', true],
    ['header :contains "x-none" ""', false],
    ['header :matches "subject" "*version ?.0*"', true],
    ['header :matches "subject" "version*"', false],
    ['header :matches "subject" "\\\\[acme*"', true],
    ['header :matches "x-priority" "1"', true],
    ['address :is "from" "alice+lists@example.org"', true],
    ['address :localpart "from" "alice+lists"', true],
    ['address :domain :is "from" "EXAMPLE.org"', true],
    ['address :all :is "to" "carol@example.net"', true],
    ['address :is "cc" ""', false],
    ['address :contains "from" "Alice Example"', false],
    ['envelope :is "from" "alice+lists@example.org"', true],
    ['envelope :domain "to" "example.com"', true],
    ['envelope :is "auth" ""', false],
    ['exists ["from", "subject"]', true],
    ['exists ["from", "x-none"]', false],
    ['size :over 100', true],
    ['size :under 100', false],
    ['size :over 10K', false],
    ['not true', false],
    ['allof (true, header :contains "subject" "acme")', true],
    ['allof (true, false)', false],
    ['anyof (false, false, true)', true],
    ['anyof (false, false)', false],
  ])('%s → %s', (test, expected) => {
    const outcome = run(`${F}if ${test} { fileinto "yes"; }`);
    expect(outcome.error).toBeNull();
    expect(summary(outcome)).toEqual(expected ? ['fileinto:yes'] : ['implicit-keep']);
  });

  test('a header field with encoded words is compared decoded (RFC 5228 §2.7.2)', () => {
    const raw = message(['From: a@b.c', 'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?='], 'x');
    expect(summary(run(`${F}if header :is "subject" "Grüße" { discard; }`, raw))).toEqual(['discard']);
  });

  test('the null reverse-path is the empty string in every part (RFC 5228 §5.4)', () => {
    const outcome = run(`${F}if envelope :all :is "from" "" { discard; }`, message(), {
      envelope: { from: '', to: 'b@c.d' },
    });
    expect(summary(outcome)).toEqual(['discard']);
  });
});

describe('RFC 5228 base: actions and implicit keep (§2.10.2)', () => {
  test.each([
    ['', ['implicit-keep']],
    ['keep;', ['keep']],
    ['discard;', ['discard']],
    ['discard; keep;', ['discard', 'keep']],
    ['fileinto "A";', ['fileinto:A']],
    ['fileinto :copy "A";', ['fileinto+copy:A', 'implicit-keep']],
    ['redirect "x@example.net";', ['redirect:x@example.net']],
    ['redirect :copy "x@example.net";', ['redirect+copy:x@example.net', 'implicit-keep']],
    ['fileinto "A"; fileinto "A"; keep; fileinto "INBOX";', ['fileinto:A', 'keep']],
    ['redirect "x@example.net"; redirect "X@example.net";', ['redirect:x@example.net']],
    ['fileinto "inbox";', ['fileinto:INBOX']],
    ['stop; discard;', ['implicit-keep']],
    ['if true { keep; stop; } discard;', ['keep']],
    ['if false { discard; } elsif true { fileinto "B"; } else { keep; }', ['fileinto:B']],
    ['if false { discard; } elsif false { fileinto "B"; } else { keep; }', ['keep']],
    ['if true { fileinto "A"; } elsif true { fileinto "B"; }', ['fileinto:A']],
    ['reject "go away";', ['reject:go away']],
    ['ereject "go away";', ['ereject:go away']],
    ['reject "no"; discard;', ['reject:no', 'discard']],
    ['vacation "away";', ['vacation:604800', 'implicit-keep']],
  ])('%s → %j', (script, expected) => {
    const outcome = run(F + script);
    expect(outcome.error).toBeNull();
    expect(summary(outcome)).toEqual(expected);
  });

  test.each([
    ['keep; reject "no";', 'line 2, column 7: reject cannot be combined with keep'],
    ['reject "no"; fileinto "A";', 'line 2, column 14: fileinto cannot be combined with reject'],
    ['redirect :copy "a@b.c"; ereject "no";', 'line 2, column 25: reject cannot be combined with redirect'],
    ['vacation "x"; reject "no";', 'line 2, column 15: reject cannot be combined with vacation'],
    ['reject "a"; reject "b";', 'line 2, column 13: reject cannot be combined with reject'],
    ['vacation "x"; vacation "y";', 'line 2, column 15: vacation can be used once per run'],
  ])('conflict (RFC 5429 §2, RFC 5230 §4.7): %s → runtime error and implicit keep alone', (script, message) => {
    const outcome = run(F + script);
    expect(outcome.error?.message).toBe(message);
    expect(summary(outcome)).toEqual(['implicit-keep']);
  });
});

describe('one compiled script, many messages (what delivery does)', () => {
  test('header and address values are the same on every ask within a run and across messages', () => {
    const script = compileScript(
      'require "fileinto";\nif address :domain "from" "a.test" { fileinto "A"; }\n' +
        'if address :domain "from" "b.test" { fileinto "B"; }\nif header :contains "from" "b.test" { fileinto "C"; }',
    );
    const from = (domain: string) => new RawMessage(message([`From: x@${domain}`], 'x'));
    expect(summary(runScript(script, from('a.test'), CONTEXT))).toEqual(['fileinto:A']);
    expect(summary(runScript(script, from('b.test'), CONTEXT))).toEqual(['fileinto:B', 'fileinto:C']);
  });
});
