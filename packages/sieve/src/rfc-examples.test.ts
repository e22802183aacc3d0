// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
// The example scripts of the RFCs, transcribed (lightly trimmed where they use extensions this engine does not
// offer), each run against a message that exercises it.
import { describe, expect, test } from 'vitest';
import type { VacationAction } from './actions.js';
import { message, run, summary } from './fixtures.test-support.js';

describe('RFC 5228 §9: the complete example', () => {
  const script = `#
# Example Sieve Filter
# Declare any optional features or extension used by the script
#
require ["fileinto"];

#
# Handle messages from known mailing lists
# Move messages from IETF filter discussion list to filter mailbox
#
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
#
# Keep all messages to or from people in my company
#
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }

#
# Try and catch unsolicited email.  If a message is not to me,
# or it contains a subject known to be spam, file it away.
#
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        # Move all other (non-company) mail to "personal"
        # mailbox.
        fileinto "personal";
        }
`;
  test.each([
    [['Sender: owner-ietf-mta-filters@imc.org', 'From: a@b.org', 'To: me@example.com'], 'fileinto:filter'],
    [['From: colleague@example.com', 'To: me@example.com'], 'keep'],
    [['From: stranger@else.org', 'To: someone@else.org'], 'fileinto:spam'],
    [
      ['From: stranger@else.org', 'To: list@else.org', 'Cc: me@example.com', 'Subject: MAKE MONEY FAST now'],
      'fileinto:spam',
    ],
    [['From: friend@else.org', 'To: you@else.org', 'Bcc: me@example.com', 'Subject: lunch?'], 'fileinto:personal'],
  ])('%j → %s', (headers, expected) => {
    expect(summary(run(script, message(headers, 'x')))).toEqual([expected]);
  });

  test('§2.4.2.4 encoded-character: "$${hex:24 24}" matches "$$$"', () => {
    const script = 'require "encoded-character";\nif header :contains "Subject" "$${hex:24 24}" { discard; }';
    expect(summary(run(script, message(['Subject: earn $$$ now'], 'x')))).toEqual(['discard']);
    expect(summary(run(script, message(['Subject: earn $ now'], 'x')))).toEqual(['implicit-keep']);
  });

  test('§5 examples: size, not exists, address :all, envelope', () => {
    const script = `require "envelope";
if size :over 500K { discard; }
if not exists ["From","Date"] { discard; }
if address :is :all "from" "tim@example.com" { discard; }
if envelope :all :is "from" "tim@example.com" { discard; }`;
    expect(summary(run(script, message(['From: tim@example.com', 'Date: x'], 'x')))).toEqual(['discard']);
    expect(summary(run(script, message(['From: tom@example.com', 'Date: x'], 'x')))).toEqual(['implicit-keep']);
    expect(summary(run(script, message(['From: tom@example.com'], 'x')))).toEqual(['discard']);
  });
});

describe('RFC 5229 variables', () => {
  test('§3 the multi-line string with variables', () => {
    const script = `require ["variables", "vacation"];
set "honorific"  "Mr";
set "first_name" "Wile";
set "last_name"  "Coyote";
set "vacation" text:
Dear \${HONORIFIC} \${last_name},
I'm out, please leave a message after the meep.
.
;
vacation "\${vacation}";`;
    const action = run(script).actions[0] as VacationAction;
    expect(action.reason).toBe("Dear Mr Coyote,\nI'm out, please leave a message after the meep.\n");
  });

  test.each([
    [':length', '15'],
    [':lower', 'jumbled letters'],
    [':upperfirst', 'JuMBlEd lETteRS'],
    [':upperfirst :lower', 'Jumbled letters'],
  ])('§4.1 modifiers: set %s "b" "${a}" → %s', (modifiers, expected) => {
    const script = `require ["variables", "fileinto"]; set "a" "juMBlEd lETteRS"; set ${modifiers} "b" "\${a}"; fileinto "\${b}";`;
    expect(summary(run(script))).toEqual([`fileinto:${expected}`]);
  });

  test('§4.1 :quotewildcard "Rock*" → "Rock\\*"', () => {
    expect(summary(run('require ["variables", "fileinto"]; set :quotewildcard "b" "Rock*"; fileinto "${b}";'))).toEqual(
      ['fileinto:Rock\\*'],
    );
  });

  const matchExample = `require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
    fileinto "INBOX.lists.\${2}"; stop;
}
# Imagine the header
# Subject: [acme-users] [fwd] version 1.0 is out
if header :matches "Subject" "[*] *" {
    # \${1} will hold "acme-users",
    # \${2} will hold "[fwd] version 1.0 is out"
    fileinto "INBOX.lists.\${1}"; stop;
}
# Imagine the header
# To: coyote@ACME.Example.COM
if address :matches ["To", "Cc"] ["coyote@**.com",
        "wile@**.com"] {
    # \${0} is the matching address
    # \${1} is always the empty string
    # \${2} is part of the domain name ("ACME.Example")
    fileinto "INBOX.business.\${2}"; stop;
} else {
    # Control wouldn't reach this block if any match was
    # successful, so no match variables are set at this
    # point.
}
if anyof (true, address :domain :matches "To" "*.com") {
    # The second test is never evaluated, so there are
    # still no match variables set.
    stop;
}`;
  test.each([
    [['List-ID: ACME <acme.lists@example.org>'], 'fileinto:INBOX.lists.acme.lists'],
    [['Subject: [acme-users] [fwd] version 1.0 is out'], 'fileinto:INBOX.lists.acme-users'],
    [['To: coyote@ACME.Example.COM'], 'fileinto:INBOX.business.ACME.Example'],
    [['To: nobody@example.org'], 'implicit-keep'],
  ])('§3.2 match variables with %j → %s', (headers, expected) => {
    expect(summary(run(matchExample, message(headers, 'x')))).toEqual([expected]);
  });

  test('§5 string test: " ${state} " matches "* pending *"', () => {
    const script = `require ["variables", "fileinto"]; set "state" "\${state} pending";
if string :matches " \${state} " "* pending *" { fileinto "always"; }`;
    expect(summary(run(script))).toEqual(['fileinto:always']);
  });
});

describe('RFC 5230 vacation and RFC 6131 vacation-seconds', () => {
  test('§7 examples', () => {
    const script = `require "vacation";
if header :contains "subject" "cyrus" {
    vacation "I'm out -- send mail to cyrus-bugs";
} else {
    vacation "I'm out -- call me at +1 304 555 0123";
}`;
    const cyrus = run(script, message(['Subject: cyrus is broken'], 'x')).actions[0] as VacationAction;
    expect(cyrus.reason).toBe("I'm out -- send mail to cyrus-bugs");
    const other = run(script, message(['Subject: hello'], 'x')).actions[0] as VacationAction;
    expect(other.reason).toBe("I'm out -- call me at +1 304 555 0123");
  });

  test('§7 :subject with a match variable, :days and :addresses', () => {
    const script = `require ["vacation", "variables"];
if header :matches "subject" "*" {
  vacation :days 7 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"] :subject "Automatic response to: \${1}" "I'm away";
}`;
    const action = run(script, message(['Subject: lunch'], 'x')).actions[0] as VacationAction;
    expect(action).toMatchObject({ subject: 'Automatic response to: lunch', seconds: 604_800 });
    expect(action.addresses).toEqual(['tjs@example.edu', 'ts4z@landru.example.edu']);
  });

  test('§7 :mime with a multi-line MIME body', () => {
    const script = `require "vacation";
vacation :mime text:
Content-Type: multipart/alternative; boundary=foo

--foo

I'm at the beach relaxing.  Mmmm, surf...

--foo--
.
;`;
    const action = run(script).actions[0] as VacationAction;
    expect(action.mime).toBe(true);
    expect(action.reason.startsWith('Content-Type: multipart/alternative; boundary=foo\n')).toBe(true);
  });

  test('RFC 6131 §3 example: :seconds 1800', () => {
    const script = `require ["vacation-seconds"];
vacation :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
         :seconds 1800
         "I am in a meeting, and do not have access to email.";`;
    expect((run(script).actions[0] as VacationAction).seconds).toBe(1800);
  });
});

describe('RFC 5232 imap4flags §7 example', () => {
  const script = `require ["fileinto", "imap4flags", "variables"];
if size :over 1M {
    addflag "MyFlags" "Big";
    if header :is "From" "boss@company.example.com" {
        # The message will be marked as "\\\\Flagged Big" when filed into mailbox "Big messages"
        addflag "MyFlags" "\\\\Flagged";
    }
    fileinto :flags "\${MyFlags}" "Big messages";
}
if header :is "From" "grandma@example.net" {
    addflag "MyFlags" ["\\\\Answered", "$MDNSent"];
    fileinto :flags "\${MyFlags}" "GrandMa";
}
if header :contains "Subject" "Make money fast" {
    addflag "\\\\Seen";
    fileinto "spam";
}`;
  test.each([
    [['From: boss@company.example.com'], 'x'.repeat(1_100_000), ['fileinto:Big messages[Big \\Flagged]']],
    [
      ['From: grandma@example.net'],
      'x'.repeat(1_100_000),
      ['fileinto:Big messages[Big]', 'fileinto:GrandMa[Big \\Answered $MDNSent]'],
    ],
    [['From: grandma@example.net'], 'x', ['fileinto:GrandMa[\\Answered $MDNSent]']],
    [['From: x@y.z', 'Subject: Make money fast'], 'x', ['fileinto:spam[\\Seen]']],
  ])('%j', (headers, body, expected) => {
    expect(summary(run(script, message(headers, body)))).toEqual(expected);
  });
});

describe('RFC 5233 subaddress §6 example', () => {
  const script = `require ["envelope", "subaddress", "fileinto"];
if envelope :user "to" "postmaster" {
    fileinto "inbox.postmaster";
    stop;
}
if envelope :detail "to" "mta-filters" {
    fileinto "inbox.ietf-mta-filters";
}
if envelope :detail "to" "foo" {
    redirect "ken@example.net";
}`;
  test.each([
    ['postmaster+x@example.com', ['fileinto:inbox.postmaster']],
    ['ken+mta-filters@example.com', ['fileinto:inbox.ietf-mta-filters']],
    ['ken+foo@example.com', ['redirect:ken@example.net']],
    ['ken@example.com', ['implicit-keep']],
  ])('to %s', (to, expected) => {
    expect(summary(run(script, message(), { envelope: { from: 'a@b.c', to } }))).toEqual(expected);
  });
});

describe('RFC 5231 relational §7 example', () => {
  const script = `require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"] {
   fileinto "Priority";
}
elsif address :count "gt" :comparator "i;ascii-numeric" ["to"] ["5"] {
   # everything with more than 5 recipients in the "to" field is considered SPAM
   fileinto "SPAM";
}
elsif address :value "gt" :all :comparator "i;ascii-casemap" ["from"] ["M"] {
   fileinto "From N-Z";
} else {
   fileinto "From A-M";
}
if allof ( address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] ["1"] ,
           address :all :comparator "i;ascii-casemap" ["to", "cc"] ["me@foo.example.com"] ) {
   fileinto "Only me";
}`;
  const base = [
    'Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)',
    'Subject: I have a present for you',
    'X-Caffeine: C8H10N4O2',
  ];
  test.each([
    [['From: coyote@desert.example.org', 'To: roadrunner@acme.example.com'], ['fileinto:From A-M']],
    [
      ['From: x@y.z', 'To: me@foo.example.com', 'X-Priority: 1'],
      ['fileinto:Priority', 'fileinto:Only me'],
    ],
    [['From: x@y.z', 'To: a@x, b@x, c@x, d@x, e@x, f@x'], ['fileinto:SPAM']],
    [['From: zed@y.z', 'To: q@x'], ['fileinto:From N-Z']],
  ])('%j', (headers, expected) => {
    expect(summary(run(script, message([...base, ...headers], 'x')))).toEqual(expected);
  });
});

describe('RFC 5260 date and index', () => {
  test('§7 business hours example with :originalzone', () => {
    const script = `require ["date", "relational", "fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }`;
    const at = (time: string) => message(['From: boss@example.com', `Date: Mon, 5 Mar 2007 ${time} -0800`], 'x');
    expect(summary(run(script, at('10:00:00')))).toEqual(['fileinto:urgent']);
    expect(summary(run(script, at('18:00:00')))).toEqual(['implicit-keep']);
  });

  test('§7 vacation in a date range with currentdate', () => {
    const script = `require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7  "I'm away during the first week in July."; }`;
    expect(summary(run(script, message(), { now: new Date('2007-07-02T12:00:00Z') }))).toEqual([
      'vacation:604800',
      'implicit-keep',
    ]);
    expect(summary(run(script, message(), { now: new Date('2007-07-09T12:00:00Z') }))).toEqual(['implicit-keep']);
  });

  test('§7 file by month and year', () => {
    const script = `require ["date", "variables", "fileinto"];
if currentdate :matches "month" "*" { set "month" "\${1}"; }
if currentdate :matches "year"  "*" { set "year" "\${1}"; }
fileinto "\${month}-\${year}";`;
    expect(summary(run(script, message(), { now: new Date('2007-02-14T00:00:00Z') }))).toEqual(['fileinto:02-2007']);
  });

  test('§6 :index picks the second Received field', () => {
    const script = `require ["date", "relational", "index"];
if date :value "gt" :index 2 :zone "-0500" "received" "iso8601" "2007-02-26T09:00:00-05:00" { redirect "aftercutoff@example.org"; }`;
    const raw = message(
      [
        'Received: from a by b; Tue, 27 Feb 2007 10:00:00 -0500',
        'Received: from c by a; Mon, 26 Feb 2007 09:30:00 -0500',
        'From: x@y.z',
      ],
      'x',
    );
    expect(summary(run(script, raw))).toEqual(['redirect:aftercutoff@example.org']);
  });
});

describe('RFC 5173 body §7 examples', () => {
  const script = `require ["body", "fileinto"];
if body :raw :contains "MAKE MONEY FAST" { discard; }
if body :content "text" :contains ["missile", "coordinates"] { fileinto "secrets"; }
if body :content "audio" :contains "" { fileinto "music"; }
if body :text :contains "project schedule" { fileinto "project/schedule"; }`;
  const mixed = (parts: string[]) =>
    message(
      ['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b'],
      `${parts.map((p) => `--b\r\n${p}\r\n`).join('')}--b--\r\n`,
    );
  test.each([
    [message(['From: a@b.c'], 'MAKE MONEY FAST today'), ['discard']],
    [mixed(['Content-Type: text/plain\r\n\r\nthe missile launch']), ['fileinto:secrets']],
    [
      mixed([
        'Content-Type: text/plain\r\n\r\nhi',
        'Content-Type: audio/mpeg\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA',
      ]),
      ['fileinto:music'],
    ],
    [mixed(['Content-Type: text/html\r\n\r\n<b>project schedule</b>']), ['fileinto:project/schedule']],
  ])('case %#', (raw, expected) => {
    expect(summary(run(script, raw))).toEqual(expected);
  });
});

describe('RFC 3894 copy, RFC 5429 reject, RFC 5490 mailbox, RFC 7352 duplicate, RFC 6609 include, regex draft', () => {
  test('RFC 3894 §4: fileinto :copy and redirect :copy keep the implicit keep', () => {
    expect(
      summary(run('require ["copy", "fileinto"]; fileinto :copy "incoming"; redirect :copy "archive@example.com";')),
    ).toEqual(['fileinto+copy:incoming', 'redirect+copy:archive@example.com', 'implicit-keep']);
  });

  test('RFC 5429 §2.2 example: reject with a multi-line reason', () => {
    const script = `require ["reject"];
if header :contains "from" "coyote@desert.example.org" {
  reject text:
I am not taking mail from you, and I don't
want your birdseed, either!
.
;
}`;
    expect(summary(run(script, message(['From: coyote@desert.example.org'], 'x')))).toEqual([
      "reject:I am not taking mail from you, and I don't\nwant your birdseed, either!\n",
    ]);
  });

  test('RFC 5490 §3.2: fileinto :create, and mailboxexists to fall back', () => {
    const script = `require ["fileinto", "mailbox"];
if mailboxexists "Partners" { fileinto "Partners"; } else { fileinto :create "INBOX.Partners"; }`;
    expect(summary(run(script))).toEqual(['fileinto+create:INBOX.Partners']);
    expect(summary(run(script, message(), { mailboxExists: () => true }))).toEqual(['fileinto:Partners']);
  });

  test('RFC 7352 §3.4 example: alerts deduplicated by :uniqueid within 60 seconds', () => {
    const script = `require ["duplicate", "variables", "imap4flags", "fileinto"];
if header :matches "subject" "ALERT: *" {
  if duplicate :seconds 60 :uniqueid "\${1}" { setflag "\\\\seen"; }
  fileinto "Alerts";
}`;
    const raw = message(['Subject: ALERT: disk full'], 'x');
    const first = run(script, raw);
    expect(summary(first)).toEqual(['fileinto:Alerts']);
    const seen = new Set(first.duplicates.map((d) => d.key));
    expect(summary(run(script, raw, { duplicates: { seen: (k) => seen.has(k) } }))).toEqual([
      'fileinto:Alerts[\\seen]',
    ]);
  });

  test('RFC 6609 §6 example: global variables shared with an included script', () => {
    const subjectTests = `require ["variables", "include"];
global ["test", "test_mailbox"];
if header :contains "Subject" "\${test}" { set "test_mailbox" "spam-\${test}"; }`;
    const script = `require ["variables", "include", "relational", "fileinto"];
global "test";
global "test_mailbox";
set "test" "$$";
include "subject_tests";
set "test" "Make money";
include "subject_tests";
if string :count "eq" "\${test_mailbox}" "1" { fileinto "\${test_mailbox}"; stop; }`;
    const resolveScript = (name: string) => (name === 'subject_tests' ? subjectTests : null);
    expect(summary(run(script, message(['Subject: Make money fast'], 'x'), { resolveScript }))).toEqual([
      'fileinto:spam-Make money',
    ]);
    expect(summary(run(script, message(['Subject: hi'], 'x'), { resolveScript }))).toEqual(['implicit-keep']);
  });

  test('regex draft §3 example: address :regex with a comparator', () => {
    const script = `require ["regex", "fileinto"];
if address :regex :comparator "i;ascii-casemap" "from" [ "stephan(\\\\+.*)?@it\\\\.example\\\\.com", "stephan(\\\\+.*)?@friep\\\\.example\\\\.com" ] { fileinto "stephan"; }`;
    expect(summary(run(script, message(['From: Stephan+x@IT.example.com'], 'x')))).toEqual(['fileinto:stephan']);
    expect(summary(run(script, message(['From: stephanie@it.example.com'], 'x')))).toEqual(['implicit-keep']);
  });
});
