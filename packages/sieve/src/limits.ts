// Every limit of the Sieve engine in one place, with the reason for each number (STYLE.md item 7). A script is
// user input that runs on every delivery, inside the MX, before the 250: each limit bounds either memory, time or
// the mail a script can make the server send.

export interface SieveLimits {
  /** Bytes of script text. Hand-written scripts are a few KiB; generated ones (dashboard rules) stay far below. */
  maxScriptBytes: number;
  /** Nesting of blocks and tests (if inside if, allof inside not ...). The parser and validator recurse. */
  maxNestingDepth: number;
  /** Actions one run may collect (keep, fileinto, redirect, vacation ...). More than this is a runaway script. */
  maxActions: number;
  /** Redirects per run: each one sends a copy of the message out (RFC 5228 §4.2 asks for loop and abuse control). */
  maxRedirects: number;
  /** Nested includes (RFC 6609 §3.2 asks implementations to limit this to stop include loops). */
  maxIncludeDepth: number;
  /** Included scripts per run, counting each include that actually runs. */
  maxIncludes: number;
  /** Interpreter steps per run (one per command and per test evaluated, plus one per value compared). Sieve has
   *  no loops, so a legitimate script uses a few thousand; this stops combinatorial blow-ups over huge headers. */
  maxSteps: number;
  /** Characters of one string after variable expansion (RFC 5229 §3 lets implementations truncate). */
  maxStringLength: number;
  /** Distinct variables per script scope (RFC 5229 §3 "implementations MAY limit the number of variables"). */
  maxVariables: number;
  /** Match variables kept (${0} .. ${N}); RFC 5229 §3.2 requires at least ${0} to ${9}. */
  maxMatchVariables: number;
  /** Characters of one :regex pattern. re2js matches in linear time, but compiling is linear in the pattern. */
  maxRegexLength: number;
  /** Characters of message text a body test reads (RFC 5173 leaves this to the implementation). */
  maxBodyLength: number;
  /** vacation without :days or :seconds answers a sender at most once a week (RFC 5230 §4.1 suggests 7 days). */
  defaultVacationSeconds: number;
  /** Shortest :days period (RFC 5230 §4.1: at least one day); :seconds may go to 0 (RFC 6131 §2). */
  minVacationDaysSeconds: number;
  /** Longest vacation period: a reply record stays in the control store this long. */
  maxVacationSeconds: number;
  /** duplicate without :seconds remembers an id this long (Pigeonhole's default, 12 hours). */
  defaultDuplicateSeconds: number;
  /** Longest duplicate period (RFC 7352 §3.1 lets the site cap it): bounds the tracker's size. */
  maxDuplicateSeconds: number;
}

export const DEFAULT_LIMITS: Readonly<SieveLimits> = Object.freeze({
  maxScriptBytes: 64 * 1024,
  maxNestingDepth: 32,
  maxActions: 32,
  maxRedirects: 4,
  maxIncludeDepth: 5,
  maxIncludes: 16,
  maxSteps: 100_000,
  maxStringLength: 64 * 1024,
  maxVariables: 256,
  maxMatchVariables: 10,
  maxRegexLength: 1024,
  maxBodyLength: 1024 * 1024,
  defaultVacationSeconds: 7 * 86_400,
  minVacationDaysSeconds: 86_400,
  maxVacationSeconds: 90 * 86_400,
  defaultDuplicateSeconds: 12 * 3600,
  maxDuplicateSeconds: 7 * 86_400,
});

/** The defaults with some values overridden. */
export function resolveLimits(overrides: Partial<SieveLimits> = {}): SieveLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
