// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
import { isCodeBug, toBoom } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { checkScript, compileScript } from './engine.js';
import { CAPABILITIES } from './grammar.js';

function errorOf(script: string): string {
  const err = checkScript(script);
  return err ? `${err.line}:${err.column} ${err.reason}` : 'valid';
}

describe('validator: valid scripts', () => {
  test('every capability can be required', () => {
    expect(errorOf(`require [${CAPABILITIES.map((c) => `"${c}"`).join(', ')}];`)).toBe('valid');
  });

  test.each([
    'require "fileinto"; fileinto "a";',
    'require ["fileinto", "copy", "imap4flags", "mailbox"]; fileinto :copy :create :flags ["\\\\Seen"] "a";',
    'require ["relational", "comparator-i;ascii-numeric"]; if header :value "ge" :comparator "i;ascii-numeric" "x" "5" { keep; }',
    'require "relational"; if address :count "gt" ["to", "cc"] "2" { keep; }',
    'require "subaddress"; if envelope :detail "to" "lists" {}'.replace(
      'require "subaddress"',
      'require ["subaddress", "envelope"]',
    ),
    'require ["vacation-seconds"]; vacation :seconds 60 :subject "x" :from "a@b.c" :addresses ["a@b.c"] :mime :handle "h" "r";',
    'require ["date", "relational"]; if currentdate :zone "+0100" :value "ge" "date" "2020-01-01" { keep; }',
    'require ["date", "index"]; if date :index 1 :last :originalzone "received" "hour" "10" { keep; }',
    'require "body"; if body :content ["text", "application/pdf"] :contains "x" { keep; }',
    'require ["variables", "regex"]; set :lower :upperfirst :quoteregex :length "a" "b"; if string :regex "${a}" "^[0-9]+$" {}',
    'require "duplicate"; if duplicate :handle "h" :header "x-id" :seconds 60 :last { discard; }',
    'require ["include", "variables"]; global "g"; include :global :once :optional "common"; return;',
    'require "mailbox"; if mailboxexists ["a", "b"] { keep; }',
    'require "imap4flags"; setflag "\\\\Seen"; addflag "x" ["y"]; removeflag "x"; if hasflag :contains "x" {}',
    'require "encoded-character"; if header :is "subject" "${hex: 41 42}${unicode:263a}" { keep; }',
    'if true { keep; } elsif false { discard; } elsif true {} else { stop; }',
    'redirect "user.name@example.com";',
    'redirect "Bob <bob@example.com>";',
    'require "vacation"; vacation :from "Bob <bob@example.com>" :addresses ["b@example.com"] "x";',
  ])('%s', (script) => {
    expect(errorOf(script)).toBe('valid');
  });
});

describe('validator: every error has its line and column', () => {
  test.each([
    ['require "frobnicate";', '1:9 unsupported extension "frobnicate"'],
    ['keep;\nrequire "fileinto";', '2:1 "require" must come before any other command'],
    ['if true { require "fileinto"; }', '1:11 "require" is allowed only at the top level'],
    ['fileinto "a";', '1:1 command "fileinto" needs require "fileinto"'],
    ['frobnicate;', '1:1 unknown command "frobnicate"'],
    ['if frob { }', '1:4 unknown test "frob"'],
    ['true;', '1:1 unknown command "true"'],
    ['keep :copy;', '1:6 unknown tag ":copy" for command "keep"'],
    ['require "fileinto"; fileinto :copy "a";', '1:30 tag ":copy" needs require "copy"'],
    ['if header :is :contains "a" "b" {}', '1:15 tag ":contains" cannot be combined with ":is"'],
    ['if header :is :is "a" "b" {}', '1:15 tag ":is" given twice'],
    ['if header :comparator ["a", "b"] "a" "b" {}', '1:11 tag ":comparator" needs a string'],
    ['if header "a" :is "b" {}', '1:15 tag ":is" must come before the positional arguments'],
    ['if header "a" {}', '1:4 test "header" takes 2 positional argument(s), found 1'],
    ['redirect ["a@b.c", "d@e.f"];', '1:10 command "redirect" expects a string here'],
    ['if size 100 {}', '1:4 test "size" needs :over or :under'],
    ['if size :over "1" {}', '1:15 test "size" expects a number here'],
    ['elsif true {}', '1:1 "elsif" must follow "if" or "elsif"'],
    ['if true {} keep; else {}', '1:18 "else" must follow "if" or "elsif"'],
    ['if true keep;', '1:1 "if" needs a block'],
    ['if keep {}', '1:4 unknown test "keep"'],
    ['if true;', '1:1 "if" needs a block'],
    ['keep { }', '1:1 "keep" takes no block'],
    ['if (true) {}', '1:1 command "if" needs one test'],
    ['if allof true {}', '1:4 test "allof" needs a test list in parentheses'],
    ['if not (true, false) {}', '1:4 test "not" needs one test'],
    ['if true false {}', '1:4 test "true" takes no test'],
    ['if header :comparator "i;frob" "a" "b" {}', '1:4 unknown comparator "i;frob"'],
    [
      'if header :comparator "i;ascii-numeric" "a" "b" {}',
      '1:4 comparator "i;ascii-numeric" needs require "comparator-i;ascii-numeric"',
    ],
    [
      'require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "a" "1" {}',
      '1:42 comparator "i;ascii-numeric" supports only :is, :count and :value (RFC 4790 §9.1)',
    ],
    ['require "relational"; if header :value "gx" "a" "b" {}', '1:26 invalid relational operator "gx"'],
    ['require "date"; if currentdate "fortnight" "1" {}', '1:32 unknown date part "fortnight"'],
    ['require ["date", "index"]; if date :last "date" "year" "2020" {}', '1:31 ":last" needs ":index"'],
    ['require ["index"]; if header :index 0 "a" "b" {}', '1:23 ":index" counts from 1'],
    ['if header :index 1 "a" "b" {}', '1:11 tag ":index" needs require "index"'],
    [
      'require "regex"; if header :regex "a" "(unclosed" {}',
      '1:39 invalid regex "(unclosed": error parsing regexp: missing closing ): `(?i)(unclosed`',
    ],
    [
      'require "regex"; if header :regex "a" "(a)\\\\1" {}',
      '1:39 invalid regex "(a)\\1": error parsing regexp: invalid escape sequence: `\\1`',
    ],
    [
      'require "regex"; if header :regex "a" "(?=x)" {}',
      '1:39 invalid regex "(?=x)": error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
    ['require "variables"; set "1a" "b";', '1:26 invalid variable name "1a"'],
    ['require "variables"; set :lower :upper "a" "b";', '1:33 tag ":upper" cannot be combined with ":lower"'],
    ['redirect "not an address";', '1:10 invalid redirect address "not an address"'],
    ['redirect "a@b.c, d@e.f";', '1:10 invalid redirect address "a@b.c, d@e.f"'],
    ['require "vacation"; vacation :from "not an address" "x";', '1:21 invalid vacation address "not an address"'],
    ['require "vacation"; vacation :addresses ["a@b.c", "nope"] "x";', '1:21 invalid vacation address "nope"'],
    [
      'require "imap4flags"; if hasflag "v" "x" {}',
      '1:26 hasflag with a variable list needs require "variables" (RFC 5232 §4)',
    ],
    ['require "include"; include "../etc/passwd";', '1:20 invalid script name "../etc/passwd"'],
    ['require "vacation"; vacation :days 1 :seconds 5 "x";', '1:38 tag ":seconds" needs require "vacation-seconds"'],
    [
      'require "vacation-seconds"; vacation :days 1 :seconds 5 "x";',
      '1:46 tag ":seconds" cannot be combined with ":days"',
    ],
    ['require "encoded-character"; keep :flags "${unicode:D800}";', '1:42 invalid unicode character U+D800'],
    ['require "body"; if body :raw :text "x" {}', '1:30 tag ":text" cannot be combined with ":raw"'],
  ])('%j → %s', (script, expected) => {
    expect(errorOf(script)).toBe(expected);
  });
});

test('encoded-character is decoded only when required (RFC 5228 §2.4.2.4)', () => {
  const decoded = compileScript('require ["encoded-character", "reject"]; reject "${hex:41 42}${unicode: 1F600}";');
  expect(decoded.commands[1]?.positional?.[0]).toMatchObject({ values: ['AB😀'] });
  const literal = compileScript('require "reject"; reject "${hex:41 42}";');
  expect(literal.commands[1]?.positional?.[0]).toMatchObject({ values: ['${hex:41 42}'] });
});

test('a syntax error maps to HTTP 400 with line and column through @mailyard/errors (the API edge)', () => {
  const err = checkScript('require "fileinto";\nfileinto "a"\nkeep;');
  const boom = toBoom(err);
  expect(boom.output.statusCode).toBe(400);
  expect(boom.output.payload.message).toBe('line 3, column 1: expected ";" after command "fileinto", found "keep"');
  expect(isCodeBug(err)).toBe(false);
});
