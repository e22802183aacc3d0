/**
 * What a mailbox's spool holds (sealed batch files not yet drained), kept per spool directory so that a quota check
 * at delivery costs one stat of the directory, not a listing and a stat of every waiting file. A mailbox whose
 * owner never logs in gathers thousands of batch files; the MX checks its quota on each RCPT and after DATA.
 *
 * The count is kept from three sources:
 * - a listing of the directory (names and sizes): only names not seen before are stat'ed;
 * - the batch files this process writes (name and size known, no stat), after which the directory's stamp
 *   (inode, mtime) is taken again: while it stays the same nobody else changed the directory;
 * - a directory stamp that differs means another process wrote or drained: the directory is listed again at once
 *   while it held at most RELIST_FREE_FILES files (a cheap listing), otherwise at most once per relistMs.
 * The stamp's mtime ticks coarsely (a few ms), so two changes in one tick look like one: a listing of a directory
 * changed in the last UNSETTLED_MS counts as changed at the next check, and a listing older than maxAgeMs (10 s) is
 * redone whatever the stamp says (this bounds the one case left, another process's change in the same tick as
 * this process's write).
 *
 * So the usage is exact for this process's own writes, and another process's writes or drains show within
 * relistMs (1 s) on a large spool: a quota check may be off by what others spooled or drained in the last second.
 */
import { type Stats, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A spool of at most this many files is listed again as soon as its directory changes. */
const RELIST_FREE_FILES = 256;
const DEFAULT_RELIST_MS = 1000;
const DEFAULT_MAX_AGE_MS = 10_000;
/**
 * A directory whose mtime is this recent when listed may change again within the same mtime tick (the kernel's
 * coarse clock, a few ms): such a listing is not trusted to match its stamp, and the next check lists again.
 */
const UNSETTLED_MS = 20;

/** The file-system calls used, replaceable so a test can count them. */
export interface SpoolUsageFs {
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<{ size: number }>;
  statDir(dir: string): Stats | undefined;
}

const realFs: SpoolUsageFs = {
  readdir: (dir) => readdir(dir),
  stat: (path) => stat(path),
  statDir: (dir) => statSync(dir, { throwIfNoEntry: false }),
};

export interface SpoolUsageOptions {
  fs?: SpoolUsageFs;
  now?: () => number;
  relistMs?: number;
  maxAgeMs?: number;
}

interface DirUsage {
  /** Batch file name → size. */
  sizes: Map<string, number>;
  bytes: number;
  /** The directory's stamp when sizes last matched it; null when it did not exist. */
  stamp: string | null;
  listedAt: number;
}

function stampOf(s: Stats | undefined): string | null {
  return s ? `${s.ino}:${s.mtimeMs}` : null;
}

/** The stamp a listing keeps: one that matches no directory when the directory changed a moment ago. */
function settledStamp(s: Stats | undefined): string | null {
  return s && Date.now() - s.mtimeMs < UNSETTLED_MS ? 'unsettled' : stampOf(s);
}

export class SpoolUsage {
  readonly #fs: SpoolUsageFs;
  readonly #now: () => number;
  readonly #relistMs: number;
  readonly #maxAgeMs: number;
  readonly #dirs = new Map<string, DirUsage>();
  /** A listing under way per directory: checks that need one meanwhile wait for it rather than list again. */
  readonly #listing = new Map<string, Promise<DirUsage>>();

  constructor(opts: SpoolUsageOptions = {}) {
    this.#fs = opts.fs ?? realFs;
    this.#now = opts.now ?? Date.now;
    this.#relistMs = opts.relistMs ?? DEFAULT_RELIST_MS;
    this.#maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  /** The bytes and batch files waiting in `spoolDir`. */
  async usage(spoolDir: string): Promise<{ bytes: number; files: number }> {
    const known = this.#dirs.get(spoolDir);
    const dirStat = this.#fs.statDir(spoolDir);
    const stamp = stampOf(dirStat);
    const now = this.#now();
    const fresh = known && now - known.listedAt < this.#maxAgeMs;
    const unchanged = known && known.stamp === stamp;
    const waitToRelist = known && known.sizes.size > RELIST_FREE_FILES && now - known.listedAt < this.#relistMs;
    if (known && fresh && (unchanged || waitToRelist)) return { bytes: known.bytes, files: known.sizes.size };
    let listing = this.#listing.get(spoolDir);
    if (!listing) {
      listing = this.#list(spoolDir, known, dirStat, now).finally(() => this.#listing.delete(spoolDir));
      this.#listing.set(spoolDir, listing);
    }
    const listed = await listing;
    return { bytes: listed.bytes, files: listed.sizes.size };
  }

  /** A batch file this process renamed into `spoolDir` (and fsynced the directory after). */
  noteWritten(spoolDir: string, name: string, bytes: number): void {
    const known = this.#dirs.get(spoolDir);
    if (!known) return;
    if (!known.sizes.has(name)) {
      known.sizes.set(name, bytes);
      known.bytes += bytes;
    }
    // The directory changed by this write alone as far as anyone can tell: later checks compare with this stamp.
    known.stamp = stampOf(this.#fs.statDir(spoolDir));
  }

  /** Lists the directory; stats only the names not known yet. */
  async #list(
    spoolDir: string,
    known: DirUsage | undefined,
    dirStat: Stats | undefined,
    now: number,
  ): Promise<DirUsage> {
    let names: string[];
    try {
      names = dirStat ? await this.#fs.readdir(spoolDir) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      names = [];
    }
    const previous = known?.sizes ?? new Map<string, number>();
    const sizes = new Map<string, number>();
    const unknown: string[] = [];
    for (const name of names) {
      if (!name.endsWith('.sealed')) continue;
      const size = previous.get(name);
      if (size === undefined) unknown.push(name);
      else sizes.set(name, size);
    }
    const stated = await Promise.all(
      unknown.map((name) =>
        this.#fs.stat(join(spoolDir, name)).then(
          (s) => s.size,
          () => -1,
        ),
      ),
    );
    unknown.forEach((name, i) => {
      const size = stated[i] as number;
      if (size >= 0) sizes.set(name, size);
    });
    let bytes = 0;
    for (const size of sizes.values()) bytes += size;
    const listed: DirUsage = { sizes, bytes, stamp: settledStamp(dirStat), listedAt: now };
    this.#dirs.set(spoolDir, listed);
    return listed;
  }

  /** Forgets a directory (its mailbox was deleted). */
  forget(spoolDir: string): void {
    this.#dirs.delete(spoolDir);
  }
}
