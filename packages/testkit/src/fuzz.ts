/**
 * What the fuzz tests share: a small seeded PRNG (sfc32 seeded through splitmix32; our own, no library), the
 * byte mutations applied to real inputs (bit flips, truncations, splices, duplicated ranges, inserted junk,
 * duplicated header lines and MIME boundaries), and the seed and count of a run: fixed in CI, overridden by
 * FUZZ_SEED and FUZZ_COUNT for the longer runs of scripts/fuzz.mjs.
 *
 * Invariant: the same seed gives the same sequence of inputs on every machine (only integer arithmetic).
 */

export interface Prng {
  readonly seed: number;
  /** A uniform 32-bit unsigned integer. */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** The sfc32 generator (Chris Doty-Humphrey's small fast counting PRNG), state from splitmix32 of the seed. */
export function createPrng(seed: number): Prng {
  let mix = seed >>> 0;
  const splitmix = () => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (n: number) => (n <= 1 ? 0 : Math.floor((next() / 0x1_0000_0000) * n));
  return {
    seed,
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() / 0x1_0000_0000 < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
    bytes: (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

export interface FuzzRun {
  seed: number;
  count: number;
}

/** The seed and count of a fuzz test: FUZZ_SEED / FUZZ_COUNT when set (scripts/fuzz.mjs), else the CI defaults. */
export function fuzzRun(defaults: FuzzRun): FuzzRun {
  return { seed: envInteger('FUZZ_SEED') ?? defaults.seed, count: envInteger('FUZZ_COUNT') ?? defaults.count };
}

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name}=${text} is not a non-negative integer`);
  return value;
}

/** Bytes that tend to break parsers: line ends on their own, NUL, 8-bit, quoting and grouping characters. */
const SPECIAL_BYTES = [0x00, 0x0a, 0x0d, 0x20, 0x22, 0x28, 0x29, 0x2e, 0x3a, 0x3b, 0x3c, 0x3e, 0x5c, 0x7b, 0x7d, 0xff];

type Mutation = (input: Buffer, prng: Prng) => Buffer;

const flipBits: Mutation = (input, prng) => {
  if (input.length === 0) return input;
  const out = Buffer.from(input);
  for (let i = prng.between(1, 8); i > 0; i--) {
    const at = prng.int(out.length);
    out[at] = (out[at] ?? 0) ^ (1 << prng.int(8));
  }
  return out;
};

const setSpecialBytes: Mutation = (input, prng) => {
  if (input.length === 0) return Buffer.from([prng.pick(SPECIAL_BYTES)]);
  const out = Buffer.from(input);
  for (let i = prng.between(1, 4); i > 0; i--) out[prng.int(out.length)] = prng.pick(SPECIAL_BYTES);
  return out;
};

const truncate: Mutation = (input, prng) => input.subarray(0, prng.int(input.length + 1));

const dropRange: Mutation = (input, prng) => {
  const start = prng.int(input.length + 1);
  const end = Math.min(input.length, start + prng.int(Math.max(1, input.length >> 2)));
  return Buffer.concat([input.subarray(0, start), input.subarray(end)]);
};

const duplicateRange: Mutation = (input, prng) => {
  const start = prng.int(input.length + 1);
  const end = Math.min(input.length, start + prng.int(Math.max(1, input.length >> 2)));
  const copies = prng.between(1, 4);
  const range = input.subarray(start, end);
  return Buffer.concat([input.subarray(0, end), ...Array.from({ length: copies }, () => range), input.subarray(end)]);
};

const insertJunk: Mutation = (input, prng) => {
  const at = prng.int(input.length + 1);
  return Buffer.concat([input.subarray(0, at), prng.bytes(prng.between(1, 64)), input.subarray(at)]);
};

/** Lines (CRLF or LF) starting with a header-name-like token or a MIME boundary marker "--". */
function structuralLines(input: Buffer): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let start = 0;
  const limit = Math.min(input.length, 256 * 1024);
  for (let i = 0; i < limit; i++) {
    if (input[i] !== 0x0a) continue;
    const first = input[start];
    const isBoundary = first === 0x2d && input[start + 1] === 0x2d;
    const isHeader = first !== undefined && first > 0x20 && first < 0x7f && input.indexOf(0x3a, start) < i;
    if (isBoundary || isHeader) lines.push([start, i + 1]);
    start = i + 1;
  }
  return lines;
}

/** Repeats a header line or a boundary line (nearby or far away): duplicate Content-Type, boundaries, etc. */
const duplicateStructure: Mutation = (input, prng) => {
  const lines = structuralLines(input);
  if (lines.length === 0) return duplicateRange(input, prng);
  const [start, end] = prng.pick(lines);
  const at = prng.chance(0.5) ? end : prng.int(input.length + 1);
  const copies = prng.chance(0.1) ? prng.between(50, 500) : prng.between(1, 3);
  const line = input.subarray(start, end);
  return Buffer.concat([input.subarray(0, at), ...Array.from({ length: copies }, () => line), input.subarray(at)]);
};

const MUTATIONS: readonly Mutation[] = [
  flipBits,
  setSpecialBytes,
  truncate,
  dropRange,
  duplicateRange,
  insertJunk,
  duplicateStructure,
];

/** One to three mutations of `input`, or a splice with `other` (head of one, tail of the other) when given. */
export function mutate(input: Buffer, prng: Prng, other?: Buffer): Buffer {
  let out = input;
  if (other !== undefined && prng.chance(0.2)) {
    out = Buffer.concat([out.subarray(0, prng.int(out.length + 1)), other.subarray(prng.int(other.length + 1))]);
  }
  for (let i = prng.between(1, 3); i > 0; i--) out = prng.pick(MUTATIONS)(out, prng);
  return out;
}
