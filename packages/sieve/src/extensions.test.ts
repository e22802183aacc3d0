// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
import { describe, expect, test } from 'vitest';
import type { VacationAction } from './actions.js';
import { message, run, SAMPLE_HEADERS, summary } from './fixtures.test-support.js';
import { RawMessage } from './raw-message.js';
import { vacationDecision } from './vacation.js';

/** Runs a script and returns the folder it chose via `fileinto "${...}"`-style probes. */
const folders = (script: string, raw = message()) => summary(run(script, raw));

describe('variables (RFC 5229)', () => {
  const V = 'require ["variables", "fileinto"];\n';
  test.each([
    ['set "a" "Hello"; fileinto "${a}-${A}";', 'fileinto:Hello-Hello'],
    ['set "a" "x"; set "b" "${a}${a}"; set "a" "y"; fileinto "${b}${a}${unknown}";', 'fileinto:xxy'],
    ['set :lower "a" "MiXeD"; fileinto "${a}";', 'fileinto:mixed'],
    ['set :upper "a" "MiXeD"; fileinto "${a}";', 'fileinto:MIXED'],
    ['set :lowerfirst "a" "MIXED"; fileinto "${a}";', 'fileinto:mIXED'],
    ['set :upperfirst :lower "a" "mIXED"; fileinto "${a}";', 'fileinto:Mixed'],
    ['set :quotewildcard "a" "a*b?c\\\\d"; fileinto "${a}";', 'fileinto:a\\*b\\?c\\\\d'],
    ['set :length "a" "héllo"; fileinto "${a}";', 'fileinto:5'],
    ['set "a" "$${a}"; fileinto "${a}";', 'fileinto:$'],
    [
      'if header :matches "subject" "[*] *" { fileinto "${1}|${2}|${0}"; }',
      'fileinto:acme-users|[fwd] version 1.0 is out|[acme-users] [fwd] version 1.0 is out',
    ],
    ['if header :matches "subject" "*version ?.?*" { fileinto "${2}${3}"; }', 'fileinto:10'],
    ['if header :matches "subject" "nomatch*" {} fileinto "[${1}]";', 'fileinto:[]'],
    ['if string :is "${undefined}" "" { fileinto "empty"; }', 'fileinto:empty'],
  ])('%s', (script, expected) => {
    expect(folders(V + script)).toEqual([expected]);
  });

  test('string :count ignores empty strings (RFC 5229 §5)', () => {
    expect(
      folders(
        'require ["variables", "fileinto", "relational"]; if string :count "eq" ["a", "", "b"] "2" { fileinto "two"; }',
      ),
    ).toEqual(['fileinto:two']);
  });

  test('without require "variables", ${...} is literal', () => {
    expect(folders('require "fileinto"; fileinto "${x}";')).toEqual(['fileinto:${x}']);
  });

  test('match variables keep their old values when a match fails', () => {
    const script = `${V}if header :matches "subject" "[*]*" {} if header :matches "subject" "zzz*" {} fileinto "\${1}";`;
    expect(folders(script)).toEqual(['fileinto:acme-users']);
  });
});

describe('imap4flags (RFC 5232)', () => {
  const I = 'require ["imap4flags", "fileinto", "variables"];\n';
  test.each([
    ['setflag "\\\\Seen"; keep;', ['keep[\\Seen]']],
    ['addflag ["\\\\Seen", "a b"]; addflag "A"; fileinto "F";', ['fileinto:F[\\Seen a b]']],
    ['addflag "a b c"; removeflag "B"; keep;', ['keep[a c]']],
    ['setflag "a"; keep :flags "z"; fileinto "F";', ['keep[z]', 'fileinto:F[a]']],
    ['addflag "\\\\Flagged";', ['implicit-keep[\\Flagged]']],
    ['setflag "v" "x y"; addflag "v" "z"; if hasflag "v" "z" { fileinto "${v}"; }', ['fileinto:x y z']],
    ['addflag "x"; if hasflag :contains "x" { discard; }', ['discard']],
    ['addflag ["x", "y"]; if hasflag :is "z" { discard; }', ['implicit-keep[x y]']],
  ])('%s → %j', (script, expected) => {
    const outcome = run(I + script);
    expect(outcome.error).toBeNull();
    expect(summary(outcome)).toEqual(expected);
  });
});

describe('body (RFC 5173)', () => {
  const multipart = message(
    ['From: a@b.c', 'To: d@e.f', 'Subject: parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="XX"'],
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
  test.each([
    ['body :contains "Café"', true],
    ['body :text :contains "invoice"', true],
    ['body :text :contains "<p>"', false],
    ['body :content "text/html" :contains "<p>"', true],
    ['body :content "multipart" :contains ""', true],
    ['body :raw :contains "Caf=C3=A9"', true],
    ['body :raw :contains "Café"', false],
    ['body :content "text/plain" :contains "invoice"', false],
    ['body :content "text/html" :contains "invoice"', true],
    ['body :content "text" :contains "invoice"', true],
    ['body :content "application/pdf" :contains "PDF"', true],
    ['body :content "audio" :contains ""', false],
    ['body :content "application" :contains ""', true],
    ['body :matches "*lait*"', true],
  ])('%s → %s', (test, expected) => {
    expect(folders(`require ["body", "fileinto"]; if ${test} { fileinto "yes"; }`, multipart)).toEqual([
      expected ? 'fileinto:yes' : 'implicit-keep',
    ]);
  });
});

describe('relational (RFC 5231) and i;ascii-numeric (RFC 4790 §9.1)', () => {
  const R = 'require ["relational", "comparator-i;ascii-numeric", "fileinto"];\n';
  test.each([
    ['header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "10"', true],
    ['header :value "lt" :comparator "i;ascii-numeric" "x-spam-score" "9"', false],
    ['header :value "gt" "x-spam-score" "9"', false],
    ['header :value "eq" :comparator "i;ascii-numeric" "subject" "abc"', true],
    ['header :count "eq" :comparator "i;ascii-numeric" "x-priority" "2"', true],
    ['address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "2"', true],
    ['address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] "2"', false],
    ['header :is :comparator "i;ascii-numeric" "x-spam-score" "012"', true],
    ['header :value "ne" "subject" "x"', true],
    ['address :count "eq" :comparator "i;ascii-numeric" "cc" "0"', true],
    ['header :value "le" :comparator "i;octet" "x-priority" "1"', true],
  ])('%s → %s', (test, expected) => {
    expect(folders(`${R}if ${test} { fileinto "yes"; }`)).toEqual([expected ? 'fileinto:yes' : 'implicit-keep']);
  });
});

describe('subaddress (RFC 5233)', () => {
  const S = 'require ["subaddress", "envelope", "fileinto"];\n';
  test.each([
    ['address :user "from" "alice"', true],
    ['address :detail "from" "lists"', true],
    ['address :detail "to" ""', false],
    ['address :detail :matches "to" "*"', false],
    ['envelope :detail "to" "sieve"', true],
    ['envelope :user "to" "bob"', true],
  ])('%s → %s', (test, expected) => {
    expect(folders(`${S}if ${test} { fileinto "yes"; }`)).toEqual([expected ? 'fileinto:yes' : 'implicit-keep']);
  });

  test('an empty detail is the empty string (RFC 5233 §4)', () => {
    const raw = message(['From: bob+@example.com'], 'x');
    expect(folders(`${S}if address :detail "from" "" { fileinto "yes"; }`, raw)).toEqual(['fileinto:yes']);
  });
});

describe('date, currentdate and index (RFC 5260)', () => {
  const D = 'require ["date", "index", "relational", "fileinto", "variables"];\n';
  test.each([
    ['date :zone "+0000" "date" "iso8601" "2026-12-04T08:30:15+00:00"', true],
    ['date :originalzone "date" "hour" "09"', true],
    ['date "date" "hour" "08"', true],
    ['date :zone "-0500" "date" "date" "2026-12-04"', true],
    ['date :zone "+1600" "date" "day" "05"', true],
    ['date "date" "weekday" "5"', true],
    ['date "date" "julian" "61378"', true],
    ['date :originalzone "date" "zone" "+0100"', true],
    ['date :originalzone "date" "std11" "Fri, 4 Dec 2026 09:30:15 +0100"', true],
    ['date "date" "time" "08:30:15"', true],
    ['date "received" "date" "2026-12-03"', true],
    ['date "x-none" "year" "2026"', false],
    ['date "subject" "year" "2026"', false],
    ['date :value "ge" "date" "date" "2026-01-01"', true],
    ['currentdate "date" "2026-12-04"', true],
    ['currentdate :zone "-1200" "date" "2026-12-04"', true],
    ['currentdate :zone "+1300" "date" "2026-12-05"', true],
    ['currentdate :value "lt" "year" "2027"', true],
    ['header :index 2 "x-priority" "1"', true],
    ['header :index 1 :last "x-priority" "1"', true],
    ['header :index 1 "x-priority" "1"', false],
    ['header :index 3 "x-priority" "1"', false],
    ['address :index 1 :domain "to" "example.net"', true],
  ])('%s → %s', (test, expected) => {
    expect(folders(`${D}if ${test} { fileinto "yes"; }`)).toEqual([expected ? 'fileinto:yes' : 'implicit-keep']);
  });

  test('RFC 5260 §7 example: a date part saved into a variable', () => {
    const script = `${D}if currentdate :matches "month" "*" { set "month" "\${1}"; }
      if currentdate :matches "year" "*" { set "year" "\${1}"; }
      fileinto "INBOX.\${year}-\${month}";`;
    expect(folders(script)).toEqual(['fileinto:INBOX.2026-12']);
  });
});

describe('mailbox (RFC 5490) and duplicate (RFC 7352)', () => {
  test('mailboxexists asks the context; fileinto :create is reported', () => {
    const script =
      'require ["mailbox", "fileinto"]; if mailboxexists "Lists" { fileinto "Lists"; } else { fileinto :create "New"; }';
    const exists = run(script, message(), { mailboxExists: (name) => name === 'Lists' });
    expect(summary(exists)).toEqual(['fileinto:Lists']);
    expect(summary(run(script))).toEqual(['fileinto+create:New']);
  });

  test('duplicate asks the tracker, repeats the answer within a run and returns ids to record', () => {
    const script = 'require ["duplicate", "fileinto"]; if duplicate { discard; } if duplicate { fileinto "again"; }';
    const seen = new Set<string>();
    const first = run(script, message(), { duplicates: { seen: (key) => seen.has(key) } });
    expect(summary(first)).toEqual(['implicit-keep']);
    expect(first.duplicates).toHaveLength(1);
    expect(first.duplicates[0]?.seconds).toBe(12 * 3600);
    seen.add(first.duplicates[0]?.key ?? '');
    const second = run(script, message(), { duplicates: { seen: (key) => seen.has(key) } });
    expect(summary(second)).toEqual(['discard', 'fileinto:again']);
  });

  test('duplicate :uniqueid, :header, :handle and :seconds make different keys; no id means false', () => {
    const script = `require ["duplicate", "variables"];
      if duplicate :handle "a" :uniqueid "x" :seconds 60 {} if duplicate :handle "b" :uniqueid "x" {}
      if duplicate :header "x-spam-score" {} if duplicate :header "x-none" { discard; }`;
    const outcome = run(script);
    expect(new Set(outcome.duplicates.map((d) => d.key)).size).toBe(3);
    expect(outcome.duplicates[0]?.seconds).toBe(60);
    expect(summary(outcome)).toEqual(['implicit-keep']);
  });
});

describe('regex (draft-ietf-sieve-regex)', () => {
  const X = 'require ["regex", "variables", "fileinto"];\n';
  test.each([
    ['if header :regex "subject" "^\\\\[([a-z-]+)\\\\]" { fileinto "${1}"; }', 'fileinto:acme-users'],
    ['if header :regex "subject" "VERSION ([0-9.]+)" { fileinto "${1}"; }', 'fileinto:1.0'],
    ['if header :regex :comparator "i;octet" "subject" "VERSION" { fileinto "case"; }', 'implicit-keep'],
    ['if address :regex :domain "from" "^example\\\\.(org|net)$" { fileinto "${1}"; }', 'fileinto:ORG'],
    ['set "p" "ac.e"; if header :regex "subject" "${p}" { fileinto "dyn"; }', 'fileinto:dyn'],
    ['set :quoteregex "p" "1.0 is"; if header :regex "subject" "${p}" { fileinto "quoted"; }', 'fileinto:quoted'],
  ])('%s', (script, expected) => {
    expect(folders(X + script)).toEqual([expected]);
  });

  test('a catastrophic pattern runs in linear time on a long header', () => {
    const raw = message(['From: a@b.c', `Subject: ${'a'.repeat(20_000)}!`], 'x');
    const started = performance.now();
    const outcome = run(`${X}if header :regex "subject" "^(a+)+$" { discard; }`, raw);
    expect(summary(outcome)).toEqual(['implicit-keep']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('a pattern built from variables that does not compile is a runtime error', () => {
    const outcome = run(`${X}set "p" "(a"; if header :regex "subject" "\${p}" { discard; }`);
    expect(outcome.error?.message).toMatch(/^line 2, column \d+: invalid regex "\(a"/);
    expect(summary(outcome)).toEqual(['implicit-keep']);
  });
});

describe('include (RFC 6609)', () => {
  const scripts: Record<string, string> = {
    'personal:spam': 'require ["fileinto"]; if header :contains "subject" "acme" { fileinto "Acme"; }',
    'global:common': 'require ["variables", "include"]; global "who"; set "who" "global-script";',
    'personal:returns': 'require ["include", "fileinto"]; fileinto "Before"; return; fileinto "After";',
    'personal:loop': 'require "include"; include "loop";',
    'personal:broken': 'keep',
    'personal:counter': 'require ["include", "variables"]; global "n"; set "n" "${n}x";',
  };
  const resolveScript = (name: string, location: string) => scripts[`${location}:${name}`] ?? null;
  const I = 'require ["include", "variables", "fileinto"];\n';
  test.each([
    ['include "spam";', ['fileinto:Acme']],
    ['include :global "common"; global "who"; fileinto "${who}";', ['fileinto:global-script']],
    ['include :global "common"; fileinto "[${who}]";', ['fileinto:[]']],
    ['include :global "common"; fileinto "${global.who}";', ['fileinto:global-script']],
    ['include "returns"; fileinto "Main";', ['fileinto:Before', 'fileinto:Main']],
    ['global "n"; include "counter"; include "counter"; include :once "counter"; fileinto "${n}";', ['fileinto:xx']],
    ['include :optional "missing"; keep;', ['keep']],
    ['return; fileinto "never";', ['implicit-keep']],
  ])('%s → %j', (script, expected) => {
    const outcome = run(I + script, message(), { resolveScript });
    expect(outcome.error).toBeNull();
    expect(summary(outcome)).toEqual(expected);
  });

  test.each([
    ['include "missing";', /included script "missing" \(personal\) does not exist/],
    ['include "loop";', /include loop through "loop"/],
    ['include "broken";', /included script "broken": line 1, column 5: expected ";"/],
  ])('%s is a runtime error', (script, message) => {
    const outcome = run(I + script, undefined, { resolveScript });
    expect(outcome.error?.message).toMatch(message);
    expect(summary(outcome)).toEqual(['implicit-keep']);
  });
});

describe('vacation (RFC 5230, RFC 6131)', () => {
  const vacation = (script: string) => run(script).actions.find((a) => a.type === 'vacation') as VacationAction;

  test('parameters are resolved: days, subject, from, addresses, mime, handle', () => {
    const action = vacation(
      'require ["vacation", "variables"]; set "who" "Bob"; vacation :days 3 :subject "Away: ${who}" :from "bob@example.com" :addresses ["bob@example.org"] :mime :handle "h1" "I am away";',
    );
    expect(action).toEqual({
      type: 'vacation',
      reason: 'I am away',
      subject: 'Away: Bob',
      from: 'bob@example.com',
      addresses: ['bob@example.org'],
      mime: true,
      handle: 'h1',
      seconds: 3 * 86_400,
    });
  });

  test(':days 0 is raised to one day; :seconds 0 stays 0; the period is capped', () => {
    expect(vacation('require "vacation"; vacation :days 0 "x";').seconds).toBe(86_400);
    expect(vacation('require "vacation-seconds"; vacation :seconds 0 "x";').seconds).toBe(0);
    expect(vacation('require "vacation"; vacation :days 1000 "x";').seconds).toBe(90 * 86_400);
  });

  test('without :handle, equal parameters give equal handles and different ones differ (RFC 5230 §4.2)', () => {
    const a = vacation('require "vacation"; vacation :subject "s" "x";').handle;
    expect(vacation('require "vacation"; vacation :subject "s" "x";').handle).toBe(a);
    expect(vacation('require "vacation"; vacation :subject "t" "x";').handle).not.toBe(a);
  });

  const action = vacation('require "vacation"; vacation "x";');
  const envelope = { from: 'alice@example.org', to: 'bob@example.com' };
  test.each([
    [[], envelope, true, ''],
    [[], { ...envelope, from: '' }, false, 'null sender'],
    [['Auto-Submitted: auto-replied'], envelope, false, 'Auto-Submitted message'],
    [['Auto-Submitted: no'], envelope, true, ''],
    [['Precedence: bulk'], envelope, false, 'Precedence: bulk'],
    [['List-Id: <acme.lists.example.org>'], envelope, false, 'mailing list message'],
    [[], { ...envelope, from: 'owner-acme@example.org' }, false, 'sender is a list or daemon address'],
    [[], { ...envelope, from: 'MAILER-DAEMON@example.org' }, false, 'sender is a list or daemon address'],
    [[], { ...envelope, from: 'bob@example.com' }, false, 'sender is the recipient'],
    [[], { ...envelope, to: 'someone@example.com' }, false, 'recipient not in To, Cc or Bcc'],
  ])('decision with %j and %j → %s (%s)', (extra, env, send, why) => {
    const raw = message(['From: alice@example.org', 'To: Bob <bob@example.com>', 'Subject: hi', ...extra], 'x');
    const decision = vacationDecision(action, new RawMessage(raw), env);
    expect(decision).toEqual({ send, to: env.from, why });
  });
});

test('the sample headers used above are the fixture the oracle test shares', () => {
  expect(SAMPLE_HEADERS.length).toBeGreaterThan(10);
});
