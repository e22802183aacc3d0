/**
 * Message flags (RFC 3501 §2.3.2): the five storable system flags live in a bitmask column, keywords in a
 * space-delimited text column (' a b ') so SEARCH KEYWORD is one instr(). \Recent is session state, not stored here.
 */
const SYSTEM_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['\\Seen', 1],
  ['\\Answered', 2],
  ['\\Flagged', 4],
  ['\\Deleted', 8],
  ['\\Draft', 16],
];

const BIT_BY_NAME = new Map(SYSTEM_FLAGS.map(([name, bit]) => [name.toLowerCase(), bit]));

export const FLAG_SEEN = 1;
export const FLAG_ANSWERED = 2;
export const FLAG_FLAGGED = 4;
export const FLAG_DELETED = 8;
export const FLAG_DRAFT = 16;

export interface FlagSet {
  bits: number;
  keywords: string[];
}

export function parseFlags(flags: readonly string[]): FlagSet {
  let bits = 0;
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    const bit = BIT_BY_NAME.get(lower);
    if (bit !== undefined) bits |= bit;
    else if (lower !== '\\recent' && flag.length > 0 && !/[\s]/.test(flag) && !seen.has(lower)) {
      seen.add(lower);
      keywords.push(flag);
    }
  }
  return { bits, keywords };
}

export function keywordsText(keywords: readonly string[]): string {
  return keywords.length === 0 ? '' : ` ${keywords.join(' ')} `;
}

export function keywordsOf(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(' ');
}

export function formatFlags(bits: number, keywords: string): string[] {
  const out: string[] = [];
  for (const [name, bit] of SYSTEM_FLAGS) if (bits & bit) out.push(name);
  if (keywords.length > 0) out.push(...keywordsOf(keywords));
  return out;
}

/** RFC 3501 §6.4.6 STORE FLAGS / +FLAGS / -FLAGS applied to one message. */
export function applyFlags(current: FlagSet, mode: 'set' | 'add' | 'remove', change: FlagSet): FlagSet {
  if (mode === 'set') return change;
  const changeKeys = new Set(change.keywords.map((k) => k.toLowerCase()));
  if (mode === 'add') {
    const have = new Set(current.keywords.map((k) => k.toLowerCase()));
    return {
      bits: current.bits | change.bits,
      keywords: [...current.keywords, ...change.keywords.filter((k) => !have.has(k.toLowerCase()))],
    };
  }
  return {
    bits: current.bits & ~change.bits,
    keywords: current.keywords.filter((k) => !changeKeys.has(k.toLowerCase())),
  };
}

export function sameFlags(a: FlagSet, b: FlagSet): boolean {
  return a.bits === b.bits && keywordsText(a.keywords) === keywordsText(b.keywords);
}
