/**
 * The ordinary mail of the mail store benches (run.ts, spam-learning.ts): plain-text messages of a 5,000-word
 * vocabulary whose word frequencies fall off like natural language (a few words common, most rare), so that FTS
 * and the spam filter's token table see realistic spreads.
 */
import { randomBytes } from 'node:crypto';

export const WORDS = Array.from({ length: 5000 }, (_, i) => `w${(i * 7919).toString(36)}${'aeiou'[i % 5]}x`);

/** A word of the vocabulary, low indexes far more often (squared uniform). */
export function pick(): string {
  return WORDS[Math.floor(Math.random() ** 2 * WORDS.length)] as string;
}

export interface MessageShape {
  /** The sender's number (From: sender<n>@example.org); default the message's own number. */
  sender?: number;
  /** The To address; default one of 97 recipients by the message's number. */
  to?: string;
}

/** Message number `i`, about `bytes` long: headers, then words of the vocabulary in 70-character lines. */
export function message(i: number, bytes: number, shape: MessageShape = {}): Buffer {
  const sender = shape.sender ?? i;
  const to = shape.to ?? `rcpt${i % 97}@example.net`;
  const head =
    `From: Sender ${sender} <sender${sender}@example.org>\r\nTo: ${to}\r\nSubject: Message ${i} ${pick()} ${pick()}\r\n` +
    `Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <bench-${i}-${randomBytes(4).toString('hex')}@example.org>\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n';
  const words: string[] = [];
  let len = head.length;
  while (len < bytes) {
    const w = pick();
    words.push(w);
    len += w.length + 1;
  }
  return Buffer.from(`${head}${words.join(' ').replace(/(.{70}) /g, '$1\r\n')}\r\n`);
}
