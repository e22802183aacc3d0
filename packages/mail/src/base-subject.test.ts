import { describe, expect, test } from 'vitest';
import { baseSubject } from './base-subject.js';
import { crlf } from './fixtures.test-support.js';
import { indexMessageSync } from './index-message.js';
import { threadKey, threadLinks } from './thread-key.js';

describe('baseSubject (RFC 5256 §2.1)', () => {
  test.each([
    ['Re: Fwd: [list] Hello (fwd)', 'Hello'],
    ['Hello', 'Hello'],
    ['RE: re:  hello', 'hello'],
    ['Fw: FWD: fw:x', 'x'],
    ['Re[2]: hello', 'hello'],
    ['Re [2]: hello', 'hello'],
    ['[list] Re: [other] Re: topic', 'topic'],
    ['[only a blob]', '[only a blob]'],
    ['[fwd: Re: wrapped] ', 'wrapped'],
    ['[Fwd: [fwd: nested]]', 'nested'],
    ['topic (fwd) (FWD)  ', 'topic'],
    ['  Re:\ttabs\t and  spaces ', 'tabs and spaces'],
    ['Re:', ''],
    ['', ''],
    ['Reply: not a prefix', 'Reply: not a prefix'],
  ])('%j -> %j', (subject, base) => {
    expect(baseSubject(subject)).toBe(base);
  });

  test('encoded words are decoded first (step 1), so an encoded "RE:" is a prefix', () => {
    const raw = crlf('Subject: =?us-ascii?Q?RE=3A?= =?UTF-8?Q?caf=C3=A9?=\n\nx\n');
    expect(indexMessageSync(raw).normalizedSubject).toBe('café');
  });
});

describe('threadKey', () => {
  const base = { messageId: null, inReplyTo: null, references: [] as string[], normalizedSubject: '' };

  test('references root, else In-Reply-To, else own Message-ID, else base subject', () => {
    expect(threadKey({ ...base, messageId: '<c@x>', inReplyTo: '<b@x>', references: ['<a@x>', '<b@x>'] })).toBe(
      '<a@x>',
    );
    expect(threadKey({ ...base, messageId: '<c@x>', inReplyTo: '<b@x>' })).toBe('<b@x>');
    expect(threadKey({ ...base, messageId: '<a@x>' })).toBe('<a@x>');
    expect(threadKey({ ...base, normalizedSubject: 'Hello' })).toBe('subject:hello');
    expect(threadKey(base)).toBe('');
  });

  test('a reply and its thread starter share the key', () => {
    const first = indexMessageSync(crlf('Message-ID: <root@x>\nSubject: plan\n\nx\n'));
    const reply = indexMessageSync(
      crlf('Message-ID: <r1@x>\nIn-Reply-To: <root@x>\nReferences: <root@x>\nSubject: Re: plan\n\ny\n'),
    );
    expect(reply.references).toEqual(['<root@x>']);
    expect(threadKey(reply)).toBe(threadKey(first));
    expect(threadLinks(reply)).toEqual(['<r1@x>', '<root@x>']);
  });
});
