// Sizes and durations as operators write them. A bare number is bytes or milliseconds; a suffix scales it.
// Size units are powers of 1024 (50MB = 52428800 bytes), the convention of mail servers' size limits.

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const AMOUNT_WITH_UNIT = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

function parseScaled(text: string, units: Record<string, number>): number | undefined {
  const match = AMOUNT_WITH_UNIT.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : units[unit];
  if (factor === undefined) return undefined;
  return Math.floor(Number(match[1]) * factor);
}

/** '50MB' -> 52428800, '1024' -> 1024; undefined when the text is no size. */
export function parseSize(text: string): number | undefined {
  return parseScaled(text, SIZE_UNITS);
}

/** '30m' -> 1800000, '500' -> 500 (milliseconds); undefined when the text is no duration. */
export function parseDuration(text: string): number | undefined {
  return parseScaled(text, DURATION_UNITS);
}

/** The largest whole unit: 52428800 -> '50 MiB', 1000 -> '1000 B'. */
export function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ];
  for (const [name, factor] of units) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${name}`;
  }
  return `${bytes} B`;
}

/** The largest whole unit: 1800000 -> '30 min', 432000000 -> '5 days'. */
export function formatDuration(ms: number): string {
  const units: [string, string, number][] = [
    ['day', 'days', 86_400_000],
    ['h', 'h', 3_600_000],
    ['min', 'min', 60_000],
    ['s', 's', 1000],
  ];
  for (const [one, many, factor] of units) {
    if (ms >= factor && ms % factor === 0) return `${ms / factor} ${ms === factor ? one : many}`;
  }
  return `${ms} ms`;
}
