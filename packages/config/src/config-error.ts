// One error for everything wrong with the configuration, listing every problem at once so an operator fixes
// them in one round instead of one restart per typo.

export interface ConfigProblem {
  /** Dotted setting path, e.g. 'smtp.mxPort', when the problem belongs to a known setting. */
  setting?: string;
  /** The environment variable of that setting, or the unknown variable that was given. */
  envVar?: string;
  /** The value given, as printed (hidden for secrets). */
  value?: string;
  /** What is allowed, in words. */
  allowed?: string;
  /** Where the value came from: an environment variable, the config file, or overrides. */
  source?: string;
  /** The full sentence shown to the operator. */
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  - ${problem.message}`);
    super(`Invalid Mailyard configuration (${count}; see docs/configuration.md):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}
