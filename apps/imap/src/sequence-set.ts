/** RFC 9051 §9 sequence-set parsing, matching, and resolution against a session's view of a folder. */
import { InputSyntaxError } from '@mailyard/errors';

/** A bound of a sequence set; '*' is the largest number in use (the last message, or the highest UID). */
export type SetBound = number | '*';
/** RFC 9051 §9 sequence-set: single numbers and inclusive ranges (either order), of message numbers or UIDs. */
export type SequenceSet = Array<SetBound | { from: SetBound; to: SetBound }>;

const BOUND = /^(\d+|\*)$/;

function bound(text: string): SetBound {
  if (!BOUND.test(text)) throw new InputSyntaxError(`Invalid sequence set bound ${text}`);
  if (text === '*') return '*';
  const value = Number(text);
  if (value < 1 || !Number.isSafeInteger(value) || value > 0xffffffff) {
    throw new InputSyntaxError(`Invalid sequence number ${text}`);
  }
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

/**
 * The UIDs (ascending) a set names in a view's UID list. Message numbers beyond the view answer BAD
 * (RFC 9051 §6.4.5 "invalid message sequence number"); UIDs that do not exist are simply left out (§6.4.9).
 */
export function resolveSet(text: string, uids: readonly number[], isUid: boolean): number[] {
  const set = parseSequenceSet(text);
  if (isUid) {
    const star = uids[uids.length - 1] ?? 0;
    const inSet = sequenceMatcher(set, star);
    return uids.filter((uid) => inSet(uid));
  }
  const count = uids.length;
  if (count === 0) return [];
  const ranges = set.map((item) => {
    const [from, to] = typeof item === 'object' ? [item.from, item.to] : [item, item];
    const lo = from === '*' ? count : from;
    const hi = to === '*' ? count : to;
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
    if (b > count || a < 1) throw new InputSyntaxError('Invalid message sequence number');
    return [a, b] as const;
  });
  // One range (1:*, 1:1000: what clients send nearly always) is a slice of the view, already ascending; the
  // general path below spent about 7 ms on 1:* of 20,000 messages in its set, sort and map.
  const only = ranges.length === 1 ? ranges[0] : undefined;
  if (only) return uids.slice(only[0] - 1, only[1]);
  const picked = new Set<number>();
  for (const [a, b] of ranges) for (let seq = a; seq <= b; seq++) picked.add(seq);
  return [...picked].sort((x, y) => x - y).map((seq) => uids[seq - 1] as number);
}
