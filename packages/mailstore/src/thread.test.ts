import { describe, expect, test } from 'vitest';
import { orderedSubjectThreads, referencesThreads, type ThreadMessage } from './thread.js';
import type { ThreadNode } from './types.js';

/** RFC 5256 §4 thread-list notation, to compare trees at a glance: "(1 2 (3)(4))". */
function show(threads: ThreadNode[]): string {
  const members = (n: ThreadNode): string => {
    const head = n.uid === null ? '' : String(n.uid);
    if (n.children.length === 0) return head;
    if (n.children.length === 1 && n.uid !== null) return `${head} ${members(n.children[0] as ThreadNode)}`;
    const nested = n.children.map((c) => `(${members(c)})`).join('');
    return head ? `${head} ${nested}` : nested;
  };
  return threads.map((t) => `(${members(t)})`).join('');
}

let clock = 0;
function msg(uid: number, fields: Partial<ThreadMessage> = {}): ThreadMessage {
  clock += 1000;
  return { uid, date: clock, subject: '', reply: false, messageId: null, references: [], ...fields };
}

describe('THREAD=REFERENCES (RFC 5256 §3)', () => {
  test('imaptest "thread": a reference chain with a back-reference that would loop', () => {
    // Message-IDs a, b, c; b references <c> <a>, c references <b>; internal dates 17:06, 15:06, 16:06.
    const messages = [
      msg(1, { messageId: '<a@b>', date: 17 }),
      msg(2, { messageId: '<b@b>', references: ['<c@b>', '<a@b>'], date: 15 }),
      msg(3, { messageId: '<c@b>', references: ['<b@b>'], date: 16 }),
    ];
    expect(show(referencesThreads(messages))).toBe('(3 1 2)');
    // after expunging message 1 (<a@b> becomes a dummy inside the chain and is pruned)
    const after = [
      { ...(messages[1] as ThreadMessage), uid: 1 },
      { ...(messages[2] as ThreadMessage), uid: 2 },
    ];
    expect(show(referencesThreads(after))).toBe('(2 1)');
  });

  test('replies nest under their parents; siblings by date; a missing parent with two children stays a dummy', () => {
    const messages = [
      msg(1, { messageId: '<1>', subject: 'A' }),
      msg(2, { messageId: '<2>', references: ['<1>'], subject: 'A', reply: true }),
      msg(3, { messageId: '<3>', references: ['<1>'], subject: 'A', reply: true }),
      msg(4, { messageId: '<4>', references: ['<1>', '<2>'], subject: 'A', reply: true }),
      msg(5, { messageId: '<5>', references: ['<gone>'], subject: 'B', reply: true }),
      msg(6, { messageId: '<6>', references: ['<gone>'], subject: 'B', reply: true }),
      msg(7, { messageId: '<7>', subject: 'C' }),
    ];
    expect(show(referencesThreads(messages))).toBe('(1 (2 4)(3))((5)(6))(7)');
  });

  test('a dummy with one child at the root is replaced by that child', () => {
    const messages = [msg(1, { messageId: '<1>', references: ['<missing>'], subject: 'X', reply: true })];
    expect(referencesThreads(messages)).toEqual([{ uid: 1, children: [] }]);
  });

  test('duplicate and absent Message-IDs each make their own thread', () => {
    const messages = [
      msg(1, { messageId: '<same>', subject: 'one' }),
      msg(2, { messageId: '<same>', subject: 'two' }),
      msg(3, { subject: 'three' }),
      msg(4, { references: ['<same>'], subject: 'four' }),
    ];
    expect(show(referencesThreads(messages))).toBe('(1 4)(2)(3)');
  });

  test('step 5: threads with the same base subject merge (reply under original, two originals under a dummy)', () => {
    const messages = [
      msg(1, { messageId: '<1>', subject: 'TOPIC' }),
      msg(2, { messageId: '<2>', subject: 'TOPIC', reply: true }),
      msg(3, { messageId: '<3>', subject: 'OTHER' }),
      msg(4, { messageId: '<4>', subject: 'OTHER' }),
      msg(5, { messageId: '<5>', subject: '' }),
      msg(6, { messageId: '<6>', subject: '' }),
    ];
    expect(show(referencesThreads(messages))).toBe('(1 2)((3)(4))(5)(6)');
  });

  test('equal sent dates fall back to sequence order', () => {
    const messages = [msg(2, { messageId: '<b>', date: 5 }), msg(1, { messageId: '<a>', date: 5 })];
    expect(show(referencesThreads(messages))).toBe('(1)(2)');
  });
});

describe('THREAD=ORDEREDSUBJECT (RFC 5256 §3)', () => {
  test('one thread per base subject; the rest are children of the first; threads by first date', () => {
    const messages = [
      msg(1, { subject: 'B', date: 30 }),
      msg(2, { subject: 'A', date: 20 }),
      msg(3, { subject: 'B', date: 10 }),
      msg(4, { subject: 'A', date: 40 }),
      msg(5, { subject: 'B', date: 50 }),
      msg(6, { subject: 'C', date: 60 }),
    ];
    expect(show(orderedSubjectThreads(messages))).toBe('(3 (1)(5))(2 4)(6)');
  });
});
