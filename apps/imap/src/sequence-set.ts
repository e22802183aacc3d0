/** RFC 3501 §9 sequence-set parsing and matching. */
import { InputSyntaxError } from '@mailyard/errors';
import type { SequenceSet, SetBound } from '@mailyard/mailstore';

const BOUND = /^(\d+|\*)$/;

function bound(text: string): SetBound {
  if (!BOUND.test(text)) throw new InputSyntaxError(`Invalid sequence set bound ${text}`);
  if (text === '*') return '*';
  const value = Number(text);
  if (value < 1 || !Number.isSafeInteger(value)) throw new InputSyntaxError(`Invalid sequence number ${text}`);
  return value;
}

export function parseSequenceSet(text: string): SequenceSet {
  if (!text) throw new InputSyntaxError('Empty sequence set');
  return text.split(',').map((part) => {
    const [from, to, extra] = part.split(':');
    if (extra !== undefined || from === undefined) throw new InputSyntaxError(`Invalid sequence set ${text}`);
    return to === undefined ? bound(from) : { from: bound(from), to: bound(to) };
  });
}

/** Matcher for numbers in `set`, where '*' stands for `star` (the largest number in use). */
export function sequenceMatcher(set: SequenceSet, star: number): (n: number) => boolean {
  const value = (b: SetBound) => (b === '*' ? star : b);
  const ranges = set.map((item) =>
    typeof item === 'object'
      ? [Math.min(value(item.from), value(item.to)), Math.max(value(item.from), value(item.to))]
      : [value(item), value(item)],
  );
  return (n) => ranges.some(([lo = 0, hi = 0]) => n >= lo && n <= hi);
}
